//! Where simulated devices stand: areas that look like real deployments (dense clusters in a
//! city, sparse outskirts), great-circle distances, and the H3 cells devices assert.

use crate::rng::SimRng;
use depin_primitives::H3Cell;

/// Resolution of the H3 cells simulated devices assert (~300 m², the registry's finest).
pub const CELL_RESOLUTION: u8 = 12;

/// Mean Earth radius, metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point on Earth, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
	/// Latitude, degrees north.
	pub lat: f64,
	/// Longitude, degrees east.
	pub lng: f64,
}

impl Position {
	/// Great-circle (haversine) distance to `other`, metres.
	pub fn distance_m(&self, other: &Position) -> f64 {
		let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
		let d_phi = phi2 - phi1;
		let d_lambda = (other.lng - self.lng).to_radians();
		let a =
			(d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
		2.0 * EARTH_RADIUS_M * a.sqrt().asin()
	}

	/// The point `distance_m` away in direction `bearing_deg` (0 = north, 90 = east).
	pub fn offset(&self, distance_m: f64, bearing_deg: f64) -> Position {
		let delta = distance_m / EARTH_RADIUS_M;
		let theta = bearing_deg.to_radians();
		let phi1 = self.lat.to_radians();
		let lambda1 = self.lng.to_radians();
		let phi2 = (phi1.sin() * delta.cos() + phi1.cos() * delta.sin() * theta.cos()).asin();
		let lambda2 = lambda1
			+ (theta.sin() * delta.sin() * phi1.cos()).atan2(delta.cos() - phi1.sin() * phi2.sin());
		Position { lat: phi2.to_degrees(), lng: (lambda2.to_degrees() + 540.0) % 360.0 - 180.0 }
	}

	/// The H3 cell (at [`CELL_RESOLUTION`]) containing this point.
	pub fn cell(&self) -> H3Cell {
		H3Cell::from_lat_lng(self.lat, self.lng, CELL_RESOLUTION)
			.expect("a valid latitude and longitude always has a cell")
	}
}

/// A dense part of an area: devices spread around its centre with a normal distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
	/// Its centre.
	pub centre: Position,
	/// Standard deviation of the distance from the centre, metres.
	pub spread_m: f64,
	/// Relative weight among the area's clusters.
	pub weight: f64,
}

/// Where a fleet is deployed.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
	/// Display name.
	pub name: String,
	/// South-west corner of the bounding box.
	pub south_west: Position,
	/// North-east corner.
	pub north_east: Position,
	/// The dense parts.
	pub clusters: Vec<Cluster>,
	/// Share of devices in the clusters (the rest are uniform over the box).
	pub clustered_share: f64,
}

fn cluster(lat: f64, lng: f64, spread_m: f64, weight: f64) -> Cluster {
	Cluster { centre: Position { lat, lng }, spread_m, weight }
}

impl Area {
	/// Names of the built-in areas.
	pub const PRESETS: [&'static str; 3] = ["paris", "berlin", "new-york"];

	/// A built-in area, or a bounding box `south,west,north,east` (degrees) with clusters
	/// drawn inside it.
	pub fn parse(spec: &str, rng: &mut SimRng) -> Result<Area, String> {
		let box_of = |s: f64, w: f64, n: f64, e: f64| {
			(Position { lat: s, lng: w }, Position { lat: n, lng: e })
		};
		let (name, (south_west, north_east), clusters) = match spec {
			"paris" => (
				"Paris",
				box_of(48.70, 2.10, 49.00, 2.60),
				vec![
					cluster(48.857, 2.347, 1_800.0, 4.0), // centre
					cluster(48.892, 2.238, 900.0, 1.5),   // La Défense
					cluster(48.830, 2.380, 1_200.0, 1.5), // 13th
					cluster(48.925, 2.360, 1_000.0, 1.0), // Saint-Denis
				],
			),
			"berlin" => (
				"Berlin",
				box_of(52.35, 13.10, 52.68, 13.75),
				vec![
					cluster(52.520, 13.405, 2_000.0, 4.0), // Mitte
					cluster(52.500, 13.310, 1_200.0, 1.5), // Charlottenburg
					cluster(52.480, 13.440, 1_200.0, 1.5), // Neukölln
				],
			),
			"new-york" => (
				"New York",
				box_of(40.55, -74.15, 40.92, -73.70),
				vec![
					cluster(40.758, -73.985, 1_500.0, 4.0), // Midtown
					cluster(40.712, -74.006, 1_000.0, 2.0), // Lower Manhattan
					cluster(40.678, -73.944, 1_800.0, 2.0), // Brooklyn
				],
			),
			other => {
				let parts: Vec<f64> = other
					.split(',')
					.map(|p| p.trim().parse::<f64>())
					.collect::<Result<_, _>>()
					.map_err(|_| bad_area(other))?;
				let [s, w, n, e] = parts[..] else { return Err(bad_area(other)) };
				if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s >= n || w >= e
				{
					return Err(bad_area(other));
				}
				let (sw, ne) = box_of(s, w, n, e);
				let diagonal = sw.distance_m(&ne);
				// Three clusters in the middle half of the box.
				let clusters = (0..3)
					.map(|k| {
						cluster(
							rng.range(s + (n - s) / 4.0, n - (n - s) / 4.0),
							rng.range(w + (e - w) / 4.0, e - (e - w) / 4.0),
							(diagonal / 30.0).max(200.0),
							if k == 0 { 3.0 } else { 1.0 },
						)
					})
					.collect();
				return Ok(Area {
					name: format!("box {other}"),
					south_west: sw,
					north_east: ne,
					clusters,
					clustered_share: 0.75,
				});
			}
		};
		Ok(Area { name: name.into(), south_west, north_east, clusters, clustered_share: 0.75 })
	}

	/// A point of the box, uniformly (the outskirts).
	pub fn uniform(&self, rng: &mut SimRng) -> Position {
		Position {
			lat: rng.range(self.south_west.lat, self.north_east.lat),
			lng: rng.range(self.south_west.lng, self.north_east.lng),
		}
	}

	/// Where the next device stands: in a cluster (by weight) or in the outskirts.
	pub fn place(&self, rng: &mut SimRng) -> Position {
		if self.clusters.is_empty() || !rng.chance(self.clustered_share) {
			return self.uniform(rng);
		}
		let total: f64 = self.clusters.iter().map(|c| c.weight).sum();
		let mut pick = rng.range(0.0, total);
		let chosen = self
			.clusters
			.iter()
			.find(|c| {
				pick -= c.weight;
				pick < 0.0
			})
			.unwrap_or(&self.clusters[0]);
		let distance = (rng.gaussian() * chosen.spread_m).abs();
		chosen.centre.offset(distance, rng.range(0.0, 360.0))
	}
}

fn bad_area(spec: &str) -> String {
	format!(
		"unknown area `{spec}`: use one of {} or a box `south,west,north,east` in degrees",
		Area::PRESETS.join(", ")
	)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn distances_match_known_values() {
		let notre_dame = Position { lat: 48.8530, lng: 2.3499 };
		let eiffel = Position { lat: 48.8584, lng: 2.2945 };
		let d = notre_dame.distance_m(&eiffel);
		assert!((4_000.0..4_150.0).contains(&d), "{d}");
		let berlin = Position { lat: 52.5200, lng: 13.4050 };
		let paris_to_berlin = notre_dame.distance_m(&berlin);
		assert!((875_000.0..885_000.0).contains(&paris_to_berlin), "{paris_to_berlin}");
		assert_eq!(notre_dame.distance_m(&notre_dame), 0.0);
	}

	#[test]
	fn offset_moves_by_the_distance_asked() {
		let start = Position { lat: 48.85, lng: 2.35 };
		for bearing in [0.0, 45.0, 90.0, 200.0] {
			for distance in [300.0, 5_000.0, 100_000.0] {
				let moved = start.offset(distance, bearing);
				assert!((start.distance_m(&moved) - distance).abs() < distance * 1e-6 + 0.01);
			}
		}
		// East is east.
		assert!(start.offset(1_000.0, 90.0).lng > start.lng);
	}

	#[test]
	fn cells_are_at_the_registry_resolution_and_near_the_point() {
		let p = Position { lat: 48.8530, lng: 2.3499 };
		let cell = p.cell();
		assert_eq!(cell.resolution(), Some(CELL_RESOLUTION));
		let (lat, lng) = cell.center_lat_lng().unwrap();
		assert!(p.distance_m(&Position { lat, lng }) < 15.0);
	}

	#[test]
	fn a_city_is_dense_in_its_clusters_and_sparse_outside() {
		let mut rng = SimRng::new(42);
		let area = Area::parse("paris", &mut rng).unwrap();
		let points: Vec<Position> = (0..4_000).map(|_| area.place(&mut rng)).collect();
		let centre = &area.clusters[0].centre;
		// Within 2 km of the centre: ~0.75 × 4/8 × P(|N| < 1.1σ) of the devices, and far more
		// than a uniform spread would put there (12.6 km² of ~1,200 km²: ~1 %).
		let near = points.iter().filter(|p| p.distance_m(centre) < 2_000.0).count();
		assert!(near > 800, "{near}");
		// Every point is in the box or in a cluster's tail next to it.
		let outside = points
			.iter()
			.filter(|p| {
				p.lat < area.south_west.lat - 0.1
					|| p.lat > area.north_east.lat + 0.1
					|| p.lng < area.south_west.lng - 0.1
					|| p.lng > area.north_east.lng + 0.1
			})
			.count();
		assert_eq!(outside, 0);
		// Outskirts exist: a quarter of the devices are uniform over the box.
		let far = points.iter().filter(|p| p.distance_m(centre) > 12_000.0).count();
		assert!(far > 300, "{far}");
	}

	#[test]
	fn a_bounding_box_is_parsed_and_a_bad_one_refused() {
		let mut rng = SimRng::new(1);
		let area = Area::parse("45.0,5.0,45.5,5.5", &mut rng).unwrap();
		assert_eq!(area.clusters.len(), 3);
		for bad in ["atlantis", "1,2,3", "45.5,5.0,45.0,5.5", "a,b,c,d"] {
			assert!(Area::parse(bad, &mut rng).unwrap_err().contains("unknown area"));
		}
	}
}
