//! Locations as H3 cells.
//!
//! A device asserts its location as an [H3](https://h3geo.org) cell index: a 64-bit id of a
//! hexagon on a global grid at one of 16 resolutions (0: continents, 15: about a square
//! metre). The chain checks cells, takes parents (for density counts per parent cell) and
//! measures distances with integer arithmetic only: grid distances in cells, converted to
//! metres with the mean centre-to-centre spacing of each resolution. No floating point runs
//! in the runtime; converting latitude/longitude to a cell is done off chain (the `std`
//! helpers below, the device tool, or any H3 library).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use h3o::{CellIndex, Resolution};
use scale_info::TypeInfo;

/// Finest H3 resolution.
pub const MAX_RESOLUTION: u8 = 15;

/// Mean distance between the centres of two neighbouring cells, in millimetres, for each
/// resolution: `√3 ×` H3's mean hexagon edge length.
pub const CELL_SPACING_MM: [u64; 16] = [
	2_219_200_509,
	836_678_988,
	316_121_714,
	119_475_517,
	45_157_612,
	17_067_786,
	6_451_080,
	2_436_087,
	920_436,
	347_772,
	131_400,
	49_647,
	18_758,
	7_088,
	2_678,
	1_012,
];

/// An H3 cell index as it is stored on chain. Any `u64` decodes; [`H3Cell::is_valid`] tells
/// whether it names a real cell (the registry refuses others).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct H3Cell(pub u64);

impl core::fmt::Debug for H3Cell {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "H3Cell({:x})", self.0)
	}
}

impl H3Cell {
	fn index(self) -> Option<CellIndex> {
		CellIndex::try_from(self.0).ok()
	}

	/// Whether this is a valid H3 cell index (mode, reserved bits, base cell, digits,
	/// pentagon rules).
	pub fn is_valid(self) -> bool {
		self.index().is_some()
	}

	/// The cell's resolution, 0..=15, or `None` for an invalid index.
	pub fn resolution(self) -> Option<u8> {
		self.index().map(|c| u8::from(c.resolution()))
	}

	/// The cell containing this one at the coarser `resolution`; `None` for an invalid
	/// index or a resolution finer than the cell's.
	pub fn parent(self, resolution: u8) -> Option<H3Cell> {
		let resolution = Resolution::try_from(resolution).ok()?;
		self.index()?.parent(resolution).map(|c| H3Cell(u64::from(c)))
	}

	/// The cells one resolution finer inside this one (seven, six for a pentagon); empty for
	/// an invalid index or a cell at the finest resolution.
	pub fn children(self) -> alloc::vec::Vec<H3Cell> {
		let Some(index) = self.index() else { return alloc::vec::Vec::new() };
		let Some(finer) = index.resolution().succ() else { return alloc::vec::Vec::new() };
		index.children(finer).map(|c| H3Cell(u64::from(c))).collect()
	}

	/// Distance in cells between `self` and `other`, measured at the coarser of their two
	/// resolutions. `None` for invalid cells, or when H3 cannot relate them on one local grid
	/// (they are more than one icosahedron face apart, i.e. hundreds of km at fine
	/// resolutions, or the path crosses a pentagon's deleted sector): callers treat that as
	/// "too far".
	pub fn grid_distance(self, other: H3Cell) -> Option<(u32, u8)> {
		let (a, b) = (self.index()?, other.index()?);
		let resolution = a.resolution().min(b.resolution());
		let a = a.parent(resolution)?;
		let b = b.parent(resolution)?;
		let cells = a.grid_distance(b).ok()?;
		Some((u32::try_from(cells).ok()?, u8::from(resolution)))
	}

	/// Approximate distance in metres between the two cells' centres: the grid distance at
	/// the coarser resolution times that resolution's mean cell spacing. Accurate to a few
	/// percent within a city, which is what plausibility checks need. `None` as for
	/// [`H3Cell::grid_distance`].
	pub fn distance_m(self, other: H3Cell) -> Option<u64> {
		let (cells, resolution) = self.grid_distance(other)?;
		let spacing = CELL_SPACING_MM[usize::from(resolution)];
		Some(u64::from(cells).saturating_mul(spacing) / 1_000)
	}

	/// The cell of resolution `resolution` containing latitude/longitude in degrees.
	/// Off-chain only (floating point).
	#[cfg(feature = "std")]
	pub fn from_lat_lng(lat: f64, lng: f64, resolution: u8) -> Option<H3Cell> {
		let resolution = Resolution::try_from(resolution).ok()?;
		let ll = h3o::LatLng::new(lat, lng).ok()?;
		Some(H3Cell(u64::from(ll.to_cell(resolution))))
	}

	/// The latitude/longitude in degrees of the cell's centre. Off-chain only.
	#[cfg(feature = "std")]
	pub fn center_lat_lng(self) -> Option<(f64, f64)> {
		let ll = h3o::LatLng::from(self.index()?);
		Some((ll.lat(), ll.lng()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	// Paris, Notre-Dame, at resolution 12.
	const PARIS_12: u64 = 0x8c1fb46622d85ff;

	#[test]
	fn validity_and_resolution() {
		let cell = H3Cell::from_lat_lng(48.8530, 2.3499, 12).unwrap();
		assert!(cell.is_valid());
		assert_eq!(cell.resolution(), Some(12));
		assert!(!H3Cell(0).is_valid());
		assert!(!H3Cell(u64::MAX).is_valid());
		// Mode bits of an edge index (mode 2) are not a cell.
		assert!(!H3Cell((PARIS_12 & !(0xf << 59)) | (2 << 59)).is_valid());
		assert_eq!(H3Cell(u64::MAX).resolution(), None);
	}

	#[test]
	fn parents_contain_children() {
		let cell = H3Cell::from_lat_lng(48.8530, 2.3499, 12).unwrap();
		let parent = cell.parent(7).unwrap();
		assert_eq!(parent.resolution(), Some(7));
		assert_eq!(parent, H3Cell::from_lat_lng(48.8530, 2.3499, 7).unwrap());
		assert_eq!(cell.parent(12), Some(cell));
		assert_eq!(cell.parent(13), None);
		assert_eq!(cell.parent(16), None);
	}

	#[test]
	fn distances_match_geography() {
		// Two points ~1.0 km apart in Paris (Notre-Dame to the Louvre Pyramid ≈ 1.6 km).
		let notre_dame = H3Cell::from_lat_lng(48.8530, 2.3499, 10).unwrap();
		let louvre = H3Cell::from_lat_lng(48.8611, 2.3358, 10).unwrap();
		let d = notre_dame.distance_m(louvre).unwrap();
		assert!((1_300..=2_000).contains(&d), "distance {d} m");
		assert_eq!(notre_dame.distance_m(notre_dame), Some(0));
		// Mixed resolutions compare at the coarser one.
		let louvre_12 = H3Cell::from_lat_lng(48.8611, 2.3358, 12).unwrap();
		assert_eq!(notre_dame.grid_distance(louvre_12).unwrap().1, 10);
		// Paris to Sydney: no local grid, reported as unknown (callers: too far).
		let sydney = H3Cell::from_lat_lng(-33.8568, 151.2153, 10).unwrap();
		assert_eq!(notre_dame.distance_m(sydney), None);
		assert_eq!(notre_dame.distance_m(H3Cell(7)), None);
	}

	#[test]
	fn spacing_table_is_monotonic() {
		for pair in CELL_SPACING_MM.windows(2) {
			assert!(pair[0] > pair[1] * 2 && pair[0] < pair[1] * 3);
		}
	}
}
