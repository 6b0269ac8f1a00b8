//! The shop's product catalogue: a few hundred products, generated once from the seed.

use crate::data::CATEGORIES;
use crate::rng::Rng;

/// Products per category.
const PER_CATEGORY: usize = 40;
/// The catalogue's stream id for [`Rng::derive`].
const STREAM_CATALOG: u64 = 1;

#[derive(Debug)]
pub(crate) struct Product {
    pub name: String,
    pub category: usize,
    /// Index into [`Catalog::brands`].
    pub brand: usize,
    pub price_cents: i64,
}

#[derive(Debug)]
pub(crate) struct Brand {
    pub name: &'static str,
    pub category: usize,
    /// Products of this brand, cheapest first.
    pub products: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Catalog {
    pub products: Vec<Product>,
    pub brands: Vec<Brand>,
    /// Products of each category, cheapest first.
    pub by_category: Vec<Vec<usize>>,
}

impl Catalog {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = Rng::derive(seed, STREAM_CATALOG, 0);
        let mut brands = Vec::new();
        for (c, cat) in CATEGORIES.iter().enumerate() {
            for name in cat.brands {
                brands.push(Brand {
                    name,
                    category: c,
                    products: Vec::new(),
                });
            }
        }
        // Some brands are premium, some budget: a brand factor on all their prices.
        let premium: Vec<f64> = brands.iter().map(|_| rng.lognormal(0.0, 0.3)).collect();

        let mut products = Vec::with_capacity(CATEGORIES.len() * PER_CATEGORY);
        let mut first_brand = 0;
        for (c, cat) in CATEGORIES.iter().enumerate() {
            for i in 0..PER_CATEGORY {
                // Round-robin first so every brand has products, then random.
                let b = first_brand
                    + if i < cat.brands.len() {
                        i
                    } else {
                        rng.index(cat.brands.len())
                    };
                let (noun, base) = *rng.choose(cat.products);
                let adjective = rng.choose(&crate::data::ADJECTIVES);
                let yuan = base * premium[b] * rng.lognormal(0.0, 0.25);
                // Shop prices end in 9: 89, 199, 1299.
                let price = ((yuan / 10.0).round().max(1.0) * 10.0 - 1.0) as i64;
                products.push(Product {
                    name: format!("{} {}{}", brands[b].name, adjective, noun),
                    category: c,
                    brand: b,
                    price_cents: price * 100,
                });
            }
            first_brand += cat.brands.len();
        }
        let cheapest_first = |list: &mut Vec<usize>, products: &[Product]| {
            list.sort_by_key(|p| (products[*p].price_cents, *p));
        };
        let mut by_category = vec![Vec::new(); CATEGORIES.len()];
        for (i, p) in products.iter().enumerate() {
            by_category[p.category].push(i);
            brands[p.brand].products.push(i);
        }
        for list in &mut by_category {
            cheapest_first(list, &products);
        }
        for b in &mut brands {
            cheapest_first(&mut b.products, &products);
        }
        Self {
            products,
            brands,
            by_category,
        }
    }

    /// A product from `list` (cheapest first) priced near `target_cents`, with a little
    /// randomness so the same basket size does not always pick the same product.
    pub(crate) fn near_price(
        list: &[usize],
        products: &[Product],
        target_cents: i64,
        rng: &mut Rng,
    ) -> usize {
        debug_assert!(!list.is_empty());
        let i = list.partition_point(|p| products[*p].price_cents < target_cents);
        let lo = i.saturating_sub(2);
        let hi = (i + 1).min(list.len() - 1).max(lo);
        list[lo + rng.index(hi - lo + 1)]
    }

    /// `SKU0012`: product index 11.
    pub(crate) fn sku(product: usize) -> String {
        format!("SKU{:04}", product + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_deterministic_and_complete() {
        let a = Catalog::new(42);
        let b = Catalog::new(42);
        assert_eq!(a.products.len(), 320);
        assert!(
            a.products
                .iter()
                .zip(&b.products)
                .all(|(x, y)| x.name == y.name && x.price_cents == y.price_cents)
        );
        assert!(a.brands.iter().all(|b| !b.products.is_empty()));
        assert!(a.products.iter().all(|p| p.price_cents >= 900));
        let c = Catalog::new(43);
        assert!(
            a.products
                .iter()
                .zip(&c.products)
                .any(|(x, y)| x.name != y.name)
        );
    }

    #[test]
    fn near_price_finds_close_products() {
        let cat = Catalog::new(1);
        let mut rng = Rng::seed_from_u64(9);
        let list = &cat.by_category[0];
        let p = Catalog::near_price(list, &cat.products, 20_000, &mut rng);
        let price = cat.products[p].price_cents;
        assert!(price > 5_000 && price < 80_000, "{price}");
        // Far beyond the most expensive product: one of the dearest.
        let p = Catalog::near_price(list, &cat.products, i64::MAX / 4, &mut rng);
        assert!(list[list.len() - 3..].contains(&p));
    }
}
