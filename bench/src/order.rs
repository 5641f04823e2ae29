//! The seeded pseudo-random generator of the bench: the order of the sections in each
//! round (printed with its seed, `--seed` repeats it) and the FFI section's generated data.

/// A small pseudo-random generator (xorshift64*): the same seed gives the same sequence.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (a zero seed, which xorshift cannot leave, is replaced).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.below(last as u64 + 1) as usize;
            items.swap(last, other);
        }
    }
}

/// A seed for a run that was given none: the clock's nanoseconds (printed, so the run can
/// be repeated with `--seed`).
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |elapsed| elapsed.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn the_same_seed_gives_the_same_order() {
        let shuffled = |seed| {
            let mut items: Vec<u32> = (0..10).collect();
            Rng::new(seed).shuffle(&mut items);
            items
        };
        assert_eq!(shuffled(42), shuffled(42));
        assert_ne!(shuffled(42), shuffled(43));
        let mut sorted = shuffled(42);
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<u32>>());
    }

    #[test]
    fn every_place_is_reached() {
        // Over many shuffles of three, each item takes the first place.
        let mut rng = Rng::new(7);
        let mut firsts = [0; 3];
        for _ in 0..300 {
            let mut items = [0, 1, 2];
            rng.shuffle(&mut items);
            firsts[items[0]] += 1;
        }
        assert!(firsts.iter().all(|&count| count > 50), "{firsts:?}");
    }

    #[test]
    fn a_zero_seed_still_moves() {
        let mut rng = Rng::new(0);
        assert_ne!(rng.next_u64(), rng.next_u64());
    }
}
