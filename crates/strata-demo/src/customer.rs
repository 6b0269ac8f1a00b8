//! One simulated customer: profile, orders, order lines, reviews and behaviour sessions.
//!
//! Each customer is drawn from its own random stream `(seed, index)`, so customers can be made
//! one at a time, in any order, in bounded memory. The model, in the order it is drawn:
//!
//! 1. A hidden type (brand-loyal, price-sensitive, scenario-driven) sets the parameters below.
//! 2. Purchases follow buy-till-you-die (BG/NBD): a Gamma-distributed purchase rate, a
//!    Beta-distributed chance of dropping out after each purchase, and a seasonal demand curve
//!    applied by thinning a Poisson process.
//! 3. Order values follow Gamma–Gamma: a per-customer mean from a heavy-tailed distribution and
//!    each order around it, scaled by channel and device.
//! 4. Every purchase comes from a session walking the funnel home → category → product → cart →
//!    checkout → paid. Failed sessions arrive at the rate that makes buying sessions the natural
//!    share of all funnel walks, so funnel drop-offs, slow-page and video effects measured on the
//!    whole event file equal the per-step probabilities set here.
//! 5. Before dropping out, a customer's sessions thin out and get shorter and their orders
//!    smaller and less happy; afterwards they are rarely seen.

use std::ops::Range;

use crate::calendar::{Calendar, SECS_PER_DAY, Season};
use crate::catalog::Catalog;
use crate::data::{self, CATEGORIES, Topic};
use crate::rng::Rng;

/// The customers' stream id for [`Rng::derive`].
const STREAM_CUSTOMER: u64 = 2;

/// Customer types; internal only, never written to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    BrandLoyal,
    PriceSensitive,
    Scenario,
}

const KINDS: [Kind; 3] = [Kind::BrandLoyal, Kind::PriceSensitive, Kind::Scenario];
const KIND_SHARES: [f64; 3] = [0.15, 0.45, 0.40];

/// Parameters of one customer type.
struct Params {
    season: Season,
    /// Purchase rate per day while active: Gamma(shape, mean / shape) across customers.
    rate_shape: f64,
    rate_mean: f64,
    /// Dropout probability after each purchase: Beta(a, b) across customers.
    drop_a: f64,
    drop_b: f64,
    /// Mean order value in yuan before channel and device effects.
    aov: f64,
    /// Share of orders with a coupon, outside and inside festivals.
    coupon: f64,
    coupon_festival: f64,
    /// Coupon discount as a share of the list amount.
    discount: (f64, f64),
    /// Share of order lines from the customer's one or two favourite brands.
    brand_focus: f64,
    /// Chance that a non-buying session that reaches the cart claims a coupon.
    coupon_claim: f64,
}

const PARAMS: [Params; 3] = [
    Params {
        season: Season::General,
        rate_shape: 6.0,
        rate_mean: 1.0 / 18.0,
        drop_a: 1.5,
        drop_b: 50.0,
        aov: 560.0,
        coupon: 0.15,
        coupon_festival: 0.2,
        discount: (0.03, 0.08),
        brand_focus: 0.85,
        coupon_claim: 0.05,
    },
    Params {
        season: Season::General,
        rate_shape: 6.0,
        rate_mean: 1.0 / 26.0,
        drop_a: 0.15,
        drop_b: 0.5,
        aov: 175.0,
        coupon: 0.76,
        coupon_festival: 0.85,
        discount: (0.12, 0.30),
        brand_focus: 0.0,
        coupon_claim: 0.45,
    },
    Params {
        season: Season::Scenario,
        rate_shape: 6.0,
        rate_mean: 1.0 / 16.0,
        drop_a: 0.15,
        drop_b: 0.55,
        aov: 300.0,
        coupon: 0.30,
        coupon_festival: 0.55,
        discount: (0.05, 0.15),
        brand_focus: 0.0,
        coupon_claim: 0.15,
    },
];

/// Gamma–Gamma spend: order values ~ Gamma(GG_P, rate ν), ν ~ Gamma(GG_Q, rate γ); the
/// per-customer mean GG_P / ν has a heavy (inverse-gamma) tail.
const GG_P: f64 = 5.0;
const GG_Q: f64 = 12.0;

/// Orders per customer are capped so order numbers keep four digits of sequence.
const MAX_ORDERS: usize = 9_999;
/// Days before the last purchase over which a departing customer fades.
const FADE_DAYS: f64 = 45.0;
/// Share of pre-dropout sessions that disappear at the very end of the fade.
const FADE_SESSION_LOSS: f64 = 0.65;
/// After dropping out, visits fall from this share of the old rate towards `GHOST_RATE`.
const POST_DROPOUT_RATE: f64 = 0.3;
const POST_DROPOUT_DAYS: f64 = 20.0;
const GHOST_RATE: f64 = 0.03;
/// Anonymous visitor sessions per known-customer session (1/3 makes them a quarter of all).
const ANON_PER_KNOWN: f64 = 1.0 / 3.0;

/// Funnel: chance to go on from home, category, product, cart and checkout (to payment).
/// The product step depends on whether the visitor watched the product video.
const STEP_CONTINUE: [f64; 5] = [0.93, 0.92, 0.0, 0.85, 0.92];
const PRODUCT_CONTINUE_VIDEO: f64 = 0.84;
const PRODUCT_CONTINUE_PLAIN: f64 = 0.55;
const VIDEO_SHARE: f64 = 0.3;
/// Page loads are lognormal with a 1.5 s median; σ = 0.67 puts 15% over 3 s.
const LOAD_MEDIAN_MS: f64 = 1500.0;
const LOAD_SIGMA: f64 = 0.67;
const SLOW_MS: u32 = 3000;
const SLOW_SHARE: f64 = 0.15;
/// A slow page makes leaving at that step this much more likely.
const SLOW_LEAVE_FACTOR: f64 = 1.3;

/// Steps of the funnel, as page names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    Home,
    Category,
    Product,
    Cart,
    Checkout,
}

impl Page {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Page::Home => "home",
            Page::Category => "category",
            Page::Product => "product",
            Page::Cart => "cart",
            Page::Checkout => "checkout",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EvKind {
    PageView,
    AddToCart,
    OrderPaid,
    Login,
    Search,
    VideoView,
    CouponClaim,
    LiveWatch,
    Share,
    CsContact,
}

impl EvKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EvKind::PageView => "page_view",
            EvKind::AddToCart => "add_to_cart",
            EvKind::OrderPaid => "order_paid",
            EvKind::Login => "login",
            EvKind::Search => "search",
            EvKind::VideoView => "video_view",
            EvKind::CouponClaim => "coupon_claim",
            EvKind::LiveWatch => "live_watch",
            EvKind::Share => "share",
            EvKind::CsContact => "cs_contact",
        }
    }
}

/// The `properties` object of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prop {
    None,
    Category(usize),
    Query(usize, usize),
    /// Index into [`CustomerOut::orders`].
    Order(usize),
    Quantity(u32),
    Coupon(usize),
    /// A live room named after a brand.
    Room(usize),
    Share(usize),
    Cs(usize),
    Login(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// Local milliseconds from the window start.
    pub at_ms: i64,
    pub kind: EvKind,
    pub page: Option<Page>,
    pub duration_ms: Option<u32>,
    pub load_ms: Option<u32>,
    pub sku: Option<usize>,
    pub prop: Prop,
}

impl Event {
    /// A page view that took `load_ms` to load and was looked at for `dwell_ms`.
    fn page(
        at_ms: i64,
        page: Page,
        dwell_ms: u32,
        load_ms: u32,
        sku: Option<usize>,
        prop: Prop,
    ) -> Self {
        Self {
            at_ms,
            kind: EvKind::PageView,
            page: Some(page),
            duration_ms: Some(dwell_ms),
            load_ms: Some(load_ms),
            sku,
            prop,
        }
    }

    /// Anything but a page view; `duration_ms` for watching and chatting.
    fn action(
        at_ms: i64,
        kind: EvKind,
        duration_ms: Option<u32>,
        sku: Option<usize>,
        prop: Prop,
    ) -> Self {
        Self {
            at_ms,
            kind,
            page: None,
            duration_ms,
            load_ms: None,
            sku,
            prop,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub start_ms: i64,
    /// Anonymous visitor number, or `None` for the customer's own sessions.
    pub visitor: Option<u32>,
    pub channel: usize,
    pub device: usize,
    pub events: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Paid,
    Refunded(usize),
    Closed,
}

#[derive(Clone, Debug)]
pub(crate) struct Order {
    pub id: u64,
    /// Local seconds from the window start.
    pub secs: i64,
    pub pay_secs: i64,
    pub discount_cents: i64,
    pub paid_cents: i64,
    pub coupon: bool,
    pub channel: usize,
    pub device: usize,
    pub payment: usize,
    pub status: Status,
    pub ship_region: usize,
    pub ship_city: usize,
    pub quantity: u32,
    pub items: Range<usize>,
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub product: usize,
    pub quantity: u32,
    pub unit_cents: i64,
    pub paid_cents: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct Review {
    pub order: usize,
    pub product: usize,
    pub secs: i64,
    pub rating: u8,
    pub text: Range<usize>,
}

/// Everything one customer contributes to the files. Reused between customers so the
/// generator allocates only while a customer is bigger than every one before.
#[derive(Debug, Default)]
pub(crate) struct CustomerOut {
    pub index: u64,
    pub kind: Option<Kind>,
    pub female: bool,
    pub name: String,
    pub birth_year: i64,
    pub region: usize,
    pub city: usize,
    pub reg_secs: i64,
    pub reg_channel: usize,
    pub level: usize,
    pub phone: u64,
    pub email: String,
    pub consent: bool,
    pub orders: Vec<Order>,
    pub items: Vec<Item>,
    pub reviews: Vec<Review>,
    pub review_text: String,
    pub sessions: Vec<Session>,
    pub events: Vec<Event>,
    /// Window day of the purchase after which the customer dropped out (never written).
    pub dropout_day: Option<f64>,
    times: Vec<f64>,
}

impl CustomerOut {
    fn clear(&mut self) {
        self.name.clear();
        self.email.clear();
        self.orders.clear();
        self.items.clear();
        self.reviews.clear();
        self.review_text.clear();
        self.sessions.clear();
        self.events.clear();
        self.times.clear();
    }
}

/// Customer-level draws that every order and session looks at.
struct Profile {
    kind: Kind,
    mobile: usize,
    channel: usize,
    /// Running totals of category preference weights.
    categories: [f64; CATEGORIES.len()],
    favourites: [usize; 2],
    favourite_count: usize,
    /// Gamma–Gamma rate ν of this customer's order values.
    spend_rate: f64,
    tier_one: bool,
}

impl Profile {
    fn params(&self) -> &'static Params {
        &PARAMS[self.kind as usize]
    }
}

/// Where a funnel walk ended: 0 left at home … 4 left at checkout, 5 paid.
#[derive(Clone, Copy, Debug)]
struct Path {
    reached: usize,
    loads: [u32; 5],
    video: bool,
}

/// How one session looks, apart from its funnel path.
struct SessionPlan {
    visitor: Option<u32>,
    channel: usize,
    device: usize,
    /// Shorter visits before dropping out.
    dwell: f64,
    coupon_claim: f64,
}

/// What a buying session must show: the order's lines and whether it was paid.
struct Purchase {
    order: usize,
    paid: bool,
    coupon: bool,
}

/// The shop-wide parts of the simulation, shared by all customers.
pub(crate) struct Shop<'a> {
    pub cal: &'a Calendar,
    pub catalog: &'a Catalog,
    pub seed: u64,
    /// Whether to generate browsing sessions beyond the buying ones (most of the events).
    pub browsing: bool,
    /// Failed funnel walks per successful one: (1 − P) / P.
    failed_per_success: f64,
    hours_female: [f64; 24],
    hours_male: [f64; 24],
    surname_weights: Vec<f64>,
    region_weights: Vec<f64>,
}

impl<'a> Shop<'a> {
    pub(crate) fn new(cal: &'a Calendar, catalog: &'a Catalog, seed: u64) -> Self {
        let p = completion_probability();
        let hours = |peak: [usize; 2]| {
            let mut h = data::HOUR_BASE;
            for i in peak {
                h[i] *= data::PEAK_BOOST;
            }
            h
        };
        Self {
            cal,
            catalog,
            seed,
            browsing: true,
            failed_per_success: (1.0 - p) / p,
            hours_female: hours(data::PEAK_FEMALE),
            hours_male: hours(data::PEAK_MALE),
            surname_weights: (0..data::SURNAMES.len())
                .map(|i| 1.0 / (i as f64 + 6.0))
                .collect(),
            region_weights: data::REGIONS.iter().map(|r| r.1).collect(),
        }
    }

    /// Fills `out` with customer `index`.
    pub(crate) fn customer(&self, index: u64, out: &mut CustomerOut) {
        out.clear();
        out.index = index;
        let mut rng = Rng::derive(self.seed, STREAM_CUSTOMER, index);
        let rng = &mut rng;
        let kind = KINDS[rng.weighted(&KIND_SHARES)];
        let params = &PARAMS[kind as usize];
        let female = rng.chance(0.6);
        out.kind = Some(kind);
        out.female = female;

        // Purchases: BG/NBD with a seasonal rate, by thinning.
        let lambda = rng.gamma(params.rate_shape, params.rate_mean / params.rate_shape);
        let dropout = rng.beta(params.drop_a, params.drop_b);
        let span = self.cal.span();
        let smax = self.cal.season_max(params.season);
        let first = self.cal.acquisition_day(rng) as f64 + self.time_of_day(rng, female);
        out.times.push(first);
        let mut t = first;
        let mut dropped = false;
        'life: while out.times.len() < MAX_ORDERS {
            if rng.chance(dropout) {
                dropped = true;
                break;
            }
            loop {
                t += rng.exponential(lambda * smax);
                if t >= span {
                    break 'life;
                }
                if rng.f64() * smax < self.cal.season(params.season, t as usize) {
                    break;
                }
            }
            // Keep the day from the process, draw the hour from the customer's daily rhythm.
            out.times.push(t.floor() + self.time_of_day(rng, female));
        }
        out.times.sort_by(f64::total_cmp);
        let last = *out.times.last().expect("at least one purchase");
        let dropout_at = dropped.then_some(last);
        out.dropout_day = dropout_at;

        let profile = self.profile(rng, kind, female, first, out);

        // Registration: usually minutes before the first order, sometimes days (the customer
        // browsed first).
        let early_days = if rng.chance(0.3) {
            rng.uniform(1.0, 10.0)
        } else {
            0.0
        };
        let reg = (first - early_days).max(0.0);

        // Orders and their buying sessions.
        let times = std::mem::take(&mut out.times);
        for (seq, &t) in times.iter().enumerate() {
            let fade = fade_at(t, dropout_at);
            self.order(rng, out, &profile, t, seq as u64 + 1, fade);
        }
        out.times = times;

        // Failed sessions while active, thinning out before dropout.
        let known_rate = lambda * self.failed_per_success;
        let active_end = if self.browsing {
            dropout_at.unwrap_or(span)
        } else {
            reg
        };
        let mut t = reg;
        loop {
            t += rng.exponential(known_rate * smax);
            if t >= active_end {
                break;
            }
            if rng.f64() * smax >= self.cal.season(params.season, t as usize) {
                continue;
            }
            let fade = fade_at(t, dropout_at);
            if rng.chance(FADE_SESSION_LOSS * fade) {
                continue;
            }
            let start = t.floor() + self.time_of_day(rng, female);
            if start >= reg && start < span {
                self.browse(rng, out, &profile, start, 1.0 - 0.5 * fade);
            }
        }
        // After dropping out: a few more visits, then almost none.
        if let Some(d) = dropout_at.filter(|_| self.browsing) {
            let mut t = d;
            loop {
                t += rng.exponential(known_rate * POST_DROPOUT_RATE * smax);
                if t >= span {
                    break;
                }
                let decay = (1.0 - GHOST_RATE) * (-(t - d) / POST_DROPOUT_DAYS).exp() + GHOST_RATE;
                if rng.f64() * smax < self.cal.season(params.season, t as usize) * decay {
                    let start = t.floor() + self.time_of_day(rng, female);
                    if start < span {
                        self.browse(rng, out, &profile, start, 0.5);
                    }
                }
            }
        }

        // Anonymous visitors that never log in or buy, about a quarter of all sessions.
        let anon = if self.browsing {
            rng.poisson(out.sessions.len() as f64 * ANON_PER_KNOWN)
        } else {
            0
        };
        let mut visitor = 0;
        for i in 0..anon {
            if i > 0 && rng.chance(0.6) {
                visitor += 1;
            }
            let female = rng.chance(0.6);
            let start = self.cal.visit_day(rng) as f64 + self.time_of_day(rng, female);
            self.anonymous(rng, out, start, visitor);
        }

        // Sessions in time order, visitors numbered as they first appear; the customer
        // registered just before the first own session.
        out.sessions.sort_by_key(|s| s.start_ms);
        let mut renumber = vec![None; visitor as usize + 1];
        let mut next = 0;
        for s in &mut out.sessions {
            if let Some(v) = s.visitor {
                let new = *renumber[v as usize].get_or_insert_with(|| {
                    next += 1;
                    next - 1
                });
                s.visitor = Some(new);
            }
        }
        let first_known_ms = out
            .sessions
            .iter()
            .filter(|s| s.visitor.is_none())
            .map(|s| s.start_ms)
            .min()
            .unwrap_or(0);
        let reg_secs = ((reg * SECS_PER_DAY as f64) as i64)
            .min(first_known_ms.div_euclid(1000) - rng.range_inclusive(60, 1800));
        // Registration times are shown to the minute.
        out.reg_secs = reg_secs - reg_secs.rem_euclid(60);
        out.reg_channel = profile.channel;

        // Member level from the last year's spend.
        let year_start = self.cal.span_secs() - 365 * SECS_PER_DAY;
        let year_spend: i64 = out
            .orders
            .iter()
            .filter(|o| o.status == Status::Paid && o.secs >= year_start)
            .map(|o| o.paid_cents)
            .sum();
        out.level = match year_spend {
            s if s > 500_000 => 3,
            s if s >= 200_000 => 2,
            s if s >= 50_000 => 1,
            _ => 0,
        };
    }

    /// Demographics, contact data and preferences.
    fn profile(
        &self,
        rng: &mut Rng,
        kind: Kind,
        female: bool,
        first: f64,
        out: &mut CustomerOut,
    ) -> Profile {
        out.name
            .push_str(data::SURNAMES[rng.weighted(&self.surname_weights)]);
        let given: &[&str] = if female {
            &data::GIVEN_FEMALE
        } else {
            &data::GIVEN_MALE
        };
        out.name.push_str(rng.choose_str(given));
        if rng.chance(0.65) {
            out.name.push_str(rng.choose_str(given));
        }
        out.birth_year = (rng.normal_with(1993.0, 8.0).round() as i64).clamp(1965, 2006);
        out.region = rng.weighted(&self.region_weights);
        let cities = data::REGIONS[out.region].2;
        out.city = if cities.len() == 1 {
            0
        } else {
            let w: Vec<f64> = cities.iter().map(|c| c.1).collect();
            rng.weighted(&w)
        };
        out.phone = rng.choose(&data::PHONE_PREFIXES) * 100_000_000 + rng.below(100_000_000);
        if rng.chance(0.55) {
            let domain = rng.choose_str(&data::EMAIL_DOMAINS);
            if domain == "qq.com" {
                let digits = rng.range_inclusive(10_000_000, 3_999_999_999);
                out.email.push_str(&digits.to_string());
            } else {
                let len = rng.range_inclusive(5, 9);
                for _ in 0..len {
                    let c = rng.choose(b"abcdefghijklmnopqrstuvwxyz0123456789");
                    out.email.push(char::from(*c));
                }
            }
            out.email.push('@');
            out.email.push_str(domain);
        }
        out.consent = rng.chance(0.85);

        let mut mobile_shares = data::MOBILE_SHARES;
        // Brand-loyal, high-spending customers lean towards iPhones.
        if kind == Kind::BrandLoyal {
            mobile_shares[0] *= 1.4;
        }
        let mobile = rng.weighted(&mobile_shares);
        let channel = rng.weighted(&channel_weights(first / self.cal.span()));
        let mut categories = [0.0; CATEGORIES.len()];
        let mut acc = 0.0;
        for (c, cat) in CATEGORIES.iter().enumerate() {
            let base = if female {
                cat.female_weight
            } else {
                cat.male_weight
            };
            acc += rng.gamma(0.7, base);
            categories[c] = acc;
        }
        if acc <= 0.0 {
            categories = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        }
        let favourite_category = rng.cumulative(&categories);
        let brands_in = |c: usize| -> Vec<usize> {
            (0..self.catalog.brands.len())
                .filter(|b| self.catalog.brands[*b].category == c)
                .collect()
        };
        let first_brand = *rng.choose(&brands_in(favourite_category));
        let second_category = rng.cumulative(&categories);
        let second_brand = *rng.choose(&brands_in(second_category));
        let favourite_count = if rng.chance(0.7) || second_brand == first_brand {
            1
        } else {
            2
        };
        let gamma = PARAMS[kind as usize].aov * (GG_Q - 1.0) / GG_P;
        let tier_one = data::TIER_ONE.contains(&data::REGIONS[out.region].2[out.city].0);
        Profile {
            kind,
            mobile,
            channel,
            categories,
            favourites: [first_brand, second_brand],
            favourite_count,
            spend_rate: rng.gamma(GG_Q, 1.0 / gamma),
            tier_one,
        }
    }

    /// A time of day in days (fraction), from the gender's hourly rhythm.
    fn time_of_day(&self, rng: &mut Rng, female: bool) -> f64 {
        let hours = if female {
            &self.hours_female
        } else {
            &self.hours_male
        };
        let h = rng.weighted(hours);
        (h as f64 * 3600.0 + rng.f64() * 3600.0) / SECS_PER_DAY as f64
    }

    fn order_channel(&self, rng: &mut Rng, profile: &Profile, frac: f64) -> (usize, usize) {
        let channel = if rng.chance(0.65) {
            profile.channel
        } else {
            rng.weighted(&channel_weights(frac))
        };
        let device = if channel == data::CH_PC {
            data::DEV_PC
        } else {
            profile.mobile
        };
        (channel, device)
    }

    /// One order at window time `t` (days), its lines, maybe a review, and its session.
    fn order(
        &self,
        rng: &mut Rng,
        out: &mut CustomerOut,
        profile: &Profile,
        t: f64,
        seq: u64,
        fade: f64,
    ) {
        let params = profile.params();
        let secs = (t * SECS_PER_DAY as f64) as i64;
        let day = (secs / SECS_PER_DAY) as usize;
        let frac = t / self.cal.span();
        let festival = self.cal.is_festival(day);
        let (channel, device) = self.order_channel(rng, profile, frac);

        let mut value = rng.gamma(GG_P, 1.0 / profile.spend_rate)
            * data::CHANNEL_VALUE[channel]
            * data::DEVICE_VALUE[device]
            * (1.0 - 0.3 * fade);
        if profile.tier_one {
            value *= 1.1;
        }
        if festival && profile.kind == Kind::Scenario {
            value *= 1.2;
        }

        // Lines: split the value, then pick products priced to fit.
        let lines = if value < 60.0 {
            1
        } else {
            1 + rng.weighted(&[0.6, 0.28, 0.12])
        };
        let mut shares = [0.0; 3];
        for s in shares.iter_mut().take(lines) {
            *s = rng.gamma(2.0, 1.0);
        }
        let total_share: f64 = shares.iter().sum();
        let items_start = out.items.len();
        let mut sized = false;
        for share in shares.iter().take(lines) {
            let target = (value * share / total_share * 100.0) as i64;
            let list = if profile.kind == Kind::BrandLoyal && rng.chance(params.brand_focus) {
                let b = profile.favourites[rng.index(profile.favourite_count)];
                &self.catalog.brands[b].products
            } else {
                &self.catalog.by_category[rng.cumulative(&profile.categories)]
            };
            let product = Catalog::near_price(list, &self.catalog.products, target, rng);
            let price = self.catalog.products[product].price_cents;
            let quantity = ((target as f64 / price as f64).round() as u32).clamp(1, 5);
            sized |= CATEGORIES[self.catalog.products[product].category].sized;
            if let Some(item) = out.items[items_start..]
                .iter_mut()
                .find(|i| i.product == product)
            {
                item.quantity += quantity;
            } else {
                out.items.push(Item {
                    product,
                    quantity,
                    unit_cents: price,
                    paid_cents: 0,
                });
            }
        }
        let items = items_start..out.items.len();
        let list_cents: i64 = out.items[items.clone()]
            .iter()
            .map(|i| i.unit_cents * i64::from(i.quantity))
            .sum();

        let coupon = rng.chance(if festival {
            params.coupon_festival
        } else {
            params.coupon
        });
        let rate = if coupon {
            rng.uniform(params.discount.0, params.discount.1)
        } else if festival {
            // Platform-wide festival discounts apply without a coupon too.
            0.05
        } else {
            0.0
        };
        let mut discount = ((list_cents as f64 * rate / 100.0).round() as i64) * 100;
        if coupon {
            discount = discount.max(500);
        }
        discount = discount.min(list_cents / 2);
        let paid_cents = list_cents - discount;
        // Spread the paid amount over the lines in proportion; the last line takes the rest so
        // the lines add up to the order exactly.
        let mut left = paid_cents;
        let last = items.end - 1;
        for i in items.clone() {
            let item = &mut out.items[i];
            let share = if i == last {
                left
            } else {
                let line = item.unit_cents * i64::from(item.quantity);
                (i128::from(paid_cents) * i128::from(line) / i128::from(list_cents)) as i64
            };
            item.paid_cents = share;
            left -= share;
        }
        debug_assert_eq!(left, 0);

        let status = if rng.chance(0.02) {
            Status::Closed
        } else if rng.chance(0.055 + if sized { 0.05 } else { 0.0 } + 0.04 * fade) {
            let weights = if sized {
                &data::REASON_WEIGHTS_SIZED
            } else {
                &data::REASON_WEIGHTS_UNSIZED
            };
            Status::Refunded(rng.weighted(weights))
        } else {
            Status::Paid
        };
        let payment = if channel == data::CH_MINI || channel == data::CH_PRIVATE {
            rng.weighted(&[0.2, 0.7, 0.03, 0.07])
        } else {
            rng.weighted(&[0.48, 0.25, 0.09, 0.18])
        };
        let (ship_region, ship_city) = if rng.chance(0.92) {
            (out.region, out.city)
        } else {
            let r = rng.weighted(&self.region_weights);
            (r, rng.index(data::REGIONS[r].2.len()))
        };
        let quantity = out.items[items.clone()].iter().map(|i| i.quantity).sum();
        let id = self.cal.yymm(secs) * 100_000_000_000_000 + scramble(out.index) * 10_000 + seq;

        let order = out.orders.len();
        out.orders.push(Order {
            id,
            secs,
            pay_secs: secs,
            discount_cents: discount,
            paid_cents,
            coupon,
            channel,
            device,
            payment,
            status,
            ship_region,
            ship_city,
            quantity,
            items,
        });

        // The buying session ends at checkout at the order time; payment follows.
        let paid = status != Status::Closed;
        let path = loop {
            let p = draw_path(rng);
            if (paid && p.reached == 5) || (!paid && p.reached == 4) {
                break p;
            }
        };
        let plan = SessionPlan {
            visitor: None,
            channel,
            device,
            dwell: 1.0 - 0.5 * fade,
            coupon_claim: params.coupon_claim,
        };
        let purchase = Purchase {
            order,
            paid,
            coupon,
        };
        self.session(
            rng,
            out,
            Some(profile),
            &plan,
            path,
            secs * 1000,
            Some(&purchase),
        );

        if paid {
            self.maybe_review(rng, out, order, sized, fade);
        }
    }

    fn maybe_review(
        &self,
        rng: &mut Rng,
        out: &mut CustomerOut,
        order: usize,
        sized: bool,
        fade: f64,
    ) {
        let o = &out.orders[order];
        let refund = match o.status {
            Status::Refunded(r) => Some(r),
            _ => None,
        };
        if !rng.chance(if refund.is_some() {
            0.5
        } else {
            0.28 + 0.1 * fade
        }) {
            return;
        }
        let secs = o.pay_secs + rng.range_inclusive(2 * SECS_PER_DAY, 12 * SECS_PER_DAY);
        if secs >= self.cal.span_secs() {
            return;
        }
        let items = o.items.clone();
        let product = out.items[items.start + rng.index(items.len())].product;
        // Only a change of mind leaves a refunded buyer happy.
        let positive = rng.chance(match refund {
            Some(data::REASON_CHANGED_MIND) => 0.5,
            Some(_) => 0.0,
            None => 0.73 - 0.3 * fade,
        });
        let (year, _, _) = self.cal.ymd(secs / SECS_PER_DAY);
        let weights = if positive {
            &data::POSITIVE_TOPICS
        } else if year <= 2025 {
            &data::NEGATIVE_TOPICS_EARLY
        } else {
            &data::NEGATIVE_TOPICS_LATE
        };
        let mut topic = match refund {
            Some(data::REASON_SIZE) => Topic::Size,
            Some(data::REASON_QUALITY) => Topic::Quality,
            Some(data::REASON_SLOW) => Topic::Delivery,
            Some(data::REASON_DAMAGED) => Topic::Packaging,
            _ => data::TOPICS[rng.weighted(weights)],
        };
        if topic == Topic::Size && !sized {
            topic = Topic::Quality;
        }
        let start = out.review_text.len();
        out.review_text
            .push_str(rng.choose_str(data::review_phrases(topic, positive)));
        if rng.chance(0.35) {
            let second = data::TOPICS[rng.weighted(weights)];
            if second != topic && (second != Topic::Size || sized) {
                out.review_text.push('，');
                out.review_text
                    .push_str(rng.choose_str(data::review_phrases(second, positive)));
            }
        }
        out.review_text.push_str(if positive {
            rng.choose_str(&data::POSITIVE_ENDINGS)
        } else {
            rng.choose_str(&data::NEGATIVE_ENDINGS)
        });
        let rating = if positive {
            if rng.chance(0.7) { 5 } else { 4 }
        } else {
            [1, 2, 3][rng.weighted(&[0.45, 0.35, 0.2])]
        };
        out.reviews.push(Review {
            order,
            product,
            secs,
            rating,
            text: start..out.review_text.len(),
        });
    }

    /// A session of the customer's own that does not end in an order.
    fn browse(
        &self,
        rng: &mut Rng,
        out: &mut CustomerOut,
        profile: &Profile,
        start: f64,
        dwell: f64,
    ) {
        let (channel, device) = self.order_channel(rng, profile, start / self.cal.span());
        let path = draw_failed_path(rng);
        let plan = SessionPlan {
            visitor: None,
            channel,
            device,
            dwell,
            coupon_claim: profile.params().coupon_claim,
        };
        let start_ms = (start * (SECS_PER_DAY * 1000) as f64) as i64;
        self.session(rng, out, Some(profile), &plan, path, start_ms, None);
    }

    fn anonymous(&self, rng: &mut Rng, out: &mut CustomerOut, start: f64, visitor: u32) {
        let channel = rng.weighted(&channel_weights(start / self.cal.span()));
        let device = if channel == data::CH_PC {
            data::DEV_PC
        } else {
            rng.weighted(&data::MOBILE_SHARES)
        };
        let path = draw_failed_path(rng);
        let plan = SessionPlan {
            visitor: Some(visitor),
            channel,
            device,
            dwell: 1.0,
            coupon_claim: 0.05,
        };
        let start_ms = (start * (SECS_PER_DAY * 1000) as f64) as i64;
        self.session(rng, out, None, &plan, path, start_ms, None);
    }

    /// Writes one session's events. A buying session is placed so its checkout page is at
    /// `at_ms` (the order time); any other session starts at `at_ms`.
    #[allow(clippy::too_many_arguments)]
    fn session(
        &self,
        rng: &mut Rng,
        out: &mut CustomerOut,
        profile: Option<&Profile>,
        plan: &SessionPlan,
        path: Path,
        at_ms: i64,
        purchase: Option<&Purchase>,
    ) {
        let first_event = out.events.len();
        // The session clock, in milliseconds from its start.
        let mut t: i64 = 0;
        let dwell = |rng: &mut Rng, median_ms: f64| -> u32 {
            (rng.lognormal((median_ms * plan.dwell).ln(), 0.6) as u32).max(300)
        };

        if profile.is_some() {
            let method = rng.index(data::LOGIN_METHODS.len());
            out.events.push(Event::action(
                t,
                EvKind::Login,
                None,
                None,
                Prop::Login(method),
            ));
            t += rng.range_inclusive(500, 3000);
        }
        let d = dwell(rng, 6000.0);
        out.events.push(Event::page(
            t,
            Page::Home,
            d,
            path.loads[0],
            None,
            Prop::None,
        ));
        t += i64::from(path.loads[0] + d);
        if plan.channel == data::CH_LIVE {
            let watch = (rng.lognormal(180_000f64.ln(), 0.8) as u32).max(5_000);
            let room = rng.index(self.catalog.brands.len());
            out.events.push(Event::action(
                t,
                EvKind::LiveWatch,
                Some(watch),
                None,
                Prop::Room(room),
            ));
            t += i64::from(watch);
        }

        // The products this session is about: the order's lines, or one to look at.
        let mut products = [(0usize, 1u32); 3];
        let n_products = match purchase {
            Some(p) => {
                let lines = &out.items[out.orders[p.order].items.clone()];
                for (slot, item) in products.iter_mut().zip(lines) {
                    *slot = (item.product, item.quantity);
                }
                lines.len()
            }
            None => {
                products[0].0 = self.browse_product(rng, profile);
                1
            }
        };
        let category = self.catalog.products[products[0].0].category;

        if rng.chance(0.3) {
            let term = rng.index(CATEGORIES[category].search_terms.len());
            let query = Prop::Query(category, term);
            out.events
                .push(Event::action(t, EvKind::Search, None, None, query));
            t += rng.range_inclusive(2000, 9000);
        }
        if path.reached >= 1 {
            let d = dwell(rng, 12_000.0);
            let prop = Prop::Category(category);
            out.events
                .push(Event::page(t, Page::Category, d, path.loads[1], None, prop));
            t += i64::from(path.loads[1] + d);
        }
        if path.reached >= 2 {
            // Browsing other products first; only the last product page decides the next step.
            let mut extra = 0;
            while extra < 3 && rng.chance(0.25) {
                extra += 1;
            }
            let views = extra + n_products;
            for v in 0..views {
                let decisive = v + 1 == views;
                let product = if v < extra {
                    self.browse_product(rng, profile)
                } else {
                    products[v - extra].0
                };
                let load = if decisive {
                    path.loads[2]
                } else {
                    page_load(rng)
                };
                let d = dwell(rng, 28_000.0);
                out.events.push(Event::page(
                    t,
                    Page::Product,
                    d,
                    load,
                    Some(product),
                    Prop::None,
                ));
                t += i64::from(load + d);
                if decisive && path.video {
                    let watch = (rng.lognormal(25_000f64.ln(), 0.6) as u32).max(2_000);
                    let video =
                        Event::action(t, EvKind::VideoView, Some(watch), Some(product), Prop::None);
                    out.events.push(video);
                    t += i64::from(watch);
                }
            }
            if rng.chance(0.04) {
                let target = Prop::Share(rng.index(data::SHARE_TARGETS.len()));
                let product = Some(products[n_products - 1].0);
                out.events
                    .push(Event::action(t, EvKind::Share, None, product, target));
                t += rng.range_inclusive(3000, 15_000);
            }
        }
        if path.reached >= 3 {
            for (product, quantity) in products.iter().take(n_products) {
                let add = Event::action(
                    t,
                    EvKind::AddToCart,
                    None,
                    Some(*product),
                    Prop::Quantity(*quantity),
                );
                out.events.push(add);
                t += rng.range_inclusive(500, 4000);
            }
            let d = dwell(rng, 9000.0);
            out.events.push(Event::page(
                t,
                Page::Cart,
                d,
                path.loads[3],
                None,
                Prop::None,
            ));
            t += i64::from(path.loads[3] + d);
            let claim = match purchase {
                Some(p) => p.coupon && rng.chance(0.6),
                None => rng.chance(plan.coupon_claim),
            };
            if claim {
                let coupon = Prop::Coupon(rng.index(data::COUPONS.len()));
                out.events
                    .push(Event::action(t, EvKind::CouponClaim, None, None, coupon));
                t += rng.range_inclusive(1000, 5000);
            }
        }
        // Shift so that a purchase's checkout page lands on the order time.
        let start_ms = match purchase {
            Some(_) => at_ms - t,
            None => at_ms,
        };
        if path.reached >= 4 {
            // Buyers pay within a minute or two of placing the order.
            let d = match purchase {
                Some(_) => dwell(rng, 20_000.0).min(60_000),
                None => dwell(rng, 20_000.0),
            };
            out.events.push(Event::page(
                t,
                Page::Checkout,
                d,
                path.loads[4],
                None,
                Prop::None,
            ));
            t += i64::from(path.loads[4] + d);
            if let Some(p) = purchase.filter(|p| p.paid) {
                // The payment time is shown to the second.
                let pay_secs = (start_ms + t).div_euclid(1000) + rng.range_inclusive(10, 90);
                out.orders[p.order].pay_secs = pay_secs;
                t = pay_secs * 1000 - start_ms;
                let paid = Prop::Order(p.order);
                out.events
                    .push(Event::action(t, EvKind::OrderPaid, None, None, paid));
            }
        }
        if rng.chance(0.03) {
            let topic = Prop::Cs(rng.index(data::CS_TOPICS.len()));
            let chat = (rng.lognormal(120_000f64.ln(), 0.7) as u32).max(10_000);
            t += rng.range_inclusive(2000, 20_000);
            out.events
                .push(Event::action(t, EvKind::CsContact, Some(chat), None, topic));
        }
        for e in &mut out.events[first_event..] {
            e.at_ms += start_ms;
        }
        out.sessions.push(Session {
            start_ms,
            visitor: plan.visitor,
            channel: plan.channel,
            device: plan.device,
            events: first_event..out.events.len(),
        });
    }

    /// A product someone looks at without buying: from the customer's categories (and
    /// favourite brands) at about their usual price, or anything for anonymous visitors.
    fn browse_product(&self, rng: &mut Rng, profile: Option<&Profile>) -> usize {
        let Some(profile) = profile else {
            return rng.index(self.catalog.products.len());
        };
        let list = if profile.kind == Kind::BrandLoyal && rng.chance(0.7) {
            &self.catalog.brands[profile.favourites[rng.index(profile.favourite_count)]].products
        } else {
            &self.catalog.by_category[rng.cumulative(&profile.categories)]
        };
        let usual = GG_P / profile.spend_rate * rng.lognormal(0.0, 0.5) * 100.0;
        Catalog::near_price(list, &self.catalog.products, usual as i64, rng)
    }
}

/// A bijection on 0..10¹⁰ so order numbers look random but stay unique: multiplying by a
/// number coprime with 10 permutes the residues.
fn scramble(index: u64) -> u64 {
    const M: u128 = 10_000_000_000;
    ((u128::from(index) * 3_179_514_317 + 1_234_567_891) % M) as u64
}

/// Channel shares at window fraction `frac`: live streaming grows, the platform store and PC
/// shrink.
fn channel_weights(frac: f64) -> [f64; 6] {
    [
        0.26,
        0.22,
        0.07 + 0.16 * frac,
        0.27 - 0.09 * frac,
        0.10,
        0.08 - 0.03 * frac,
    ]
}

/// 0 outside the fade window before dropout, rising to 1 at the last purchase.
fn fade_at(t: f64, dropout_at: Option<f64>) -> f64 {
    match dropout_at {
        Some(d) if t > d - FADE_DAYS => ((t - (d - FADE_DAYS)) / FADE_DAYS).clamp(0.0, 1.0),
        _ => 0.0,
    }
}

fn page_load(rng: &mut Rng) -> u32 {
    (rng.lognormal(LOAD_MEDIAN_MS.ln(), LOAD_SIGMA) as u32).clamp(150, 60_000)
}

fn product_continue(video: bool) -> f64 {
    if video {
        PRODUCT_CONTINUE_VIDEO
    } else {
        PRODUCT_CONTINUE_PLAIN
    }
}

/// One natural walk down the funnel.
fn draw_path(rng: &mut Rng) -> Path {
    let video = rng.chance(VIDEO_SHARE);
    let mut loads = [0; 5];
    for (step, load) in loads.iter_mut().enumerate() {
        *load = page_load(rng);
        let go_on = if step == 2 {
            product_continue(video)
        } else {
            STEP_CONTINUE[step]
        };
        let mut leave = 1.0 - go_on;
        if *load > SLOW_MS {
            leave *= SLOW_LEAVE_FACTOR;
        }
        if rng.chance(leave) {
            return Path {
                reached: step,
                loads,
                video,
            };
        }
    }
    Path {
        reached: 5,
        loads,
        video,
    }
}

/// A natural walk conditioned on not paying.
fn draw_failed_path(rng: &mut Rng) -> Path {
    loop {
        let p = draw_path(rng);
        if p.reached < 5 {
            return p;
        }
    }
}

/// The chance that a natural walk ends in payment.
fn completion_probability() -> f64 {
    let slow_mix = 1.0 - SLOW_SHARE + SLOW_SHARE * SLOW_LEAVE_FACTOR;
    let step = |go_on: f64| 1.0 - (1.0 - go_on) * slow_mix;
    let product = VIDEO_SHARE * step(PRODUCT_CONTINUE_VIDEO)
        + (1.0 - VIDEO_SHARE) * step(PRODUCT_CONTINUE_PLAIN);
    STEP_CONTINUE
        .iter()
        .enumerate()
        .map(|(i, c)| if i == 2 { product } else { step(*c) })
        .product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn shop_parts() -> (Calendar, Catalog) {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(), 2).unwrap();
        (cal, Catalog::new(42))
    }

    #[test]
    fn scramble_keeps_order_numbers_unique() {
        let inputs: Vec<u64> = (0..1000)
            .chain((1000..10_000_000_000).step_by(99_991))
            .collect();
        let outputs: std::collections::HashSet<u64> = inputs.iter().map(|i| scramble(*i)).collect();
        assert_eq!(outputs.len(), inputs.len());
        assert!(outputs.iter().all(|o| *o < 10_000_000_000));
    }

    #[test]
    fn completion_probability_matches_simulated_walks() {
        let mut rng = Rng::seed_from_u64(11);
        let n = 200_000;
        let paid = (0..n).filter(|_| draw_path(&mut rng).reached == 5).count();
        let expected = completion_probability();
        assert!(
            ((paid as f64 / n as f64) - expected).abs() < 0.005,
            "{expected}"
        );
        let slow = (0..n).filter(|_| page_load(&mut rng) > SLOW_MS).count();
        assert!(((slow as f64 / n as f64) - SLOW_SHARE).abs() < 0.01);
    }

    #[test]
    fn hidden_types_have_their_shares_and_habits() {
        let (cal, catalog) = shop_parts();
        let shop = Shop::new(&cal, &catalog, 42);
        let mut out = CustomerOut::default();
        let mut count = [0usize; 3];
        let mut orders = [0usize; 3];
        let mut coupons = [0usize; 3];
        let mut value = [0i64; 3];
        let n = 6000;
        for i in 0..n {
            shop.customer(i, &mut out);
            let k = out.kind.unwrap() as usize;
            count[k] += 1;
            orders[k] += out.orders.len();
            coupons[k] += out.orders.iter().filter(|o| o.coupon).count();
            value[k] += out.orders.iter().map(|o| o.paid_cents).sum::<i64>();
        }
        for k in 0..3 {
            let share = count[k] as f64 / n as f64;
            assert!((share - KIND_SHARES[k]).abs() < 0.02, "type {k}: {share}");
        }
        let coupon_share = |k: usize| coupons[k] as f64 / orders[k] as f64;
        assert!((coupon_share(1) - 0.78).abs() < 0.04, "{}", coupon_share(1));
        assert!(coupon_share(0) < 0.25);
        let aov = |k: usize| value[k] as f64 / orders[k] as f64 / 100.0;
        assert!(
            aov(0) > aov(2) && aov(2) > aov(1),
            "{} {} {}",
            aov(0),
            aov(1),
            aov(2)
        );
    }

    #[test]
    fn visits_thin_out_before_dropout_and_almost_stop_after() {
        let (cal, catalog) = shop_parts();
        let shop = Shop::new(&cal, &catalog, 42);
        let mut out = CustomerOut::default();
        // Known sessions per customer in three 45-day windows around the dropout.
        let (mut before, mut fading, mut after) = (0usize, 0usize, 0usize);
        let (mut dwell_before, mut dwell_fading) = ((0u64, 0u64), (0u64, 0u64));
        for i in 0..8000 {
            shop.customer(i, &mut out);
            // Scenario shoppers' seasons would blur the comparison.
            let Some(d) = out.dropout_day.filter(|_| out.kind != Some(Kind::Scenario)) else {
                continue;
            };
            let first = out.orders[0].secs as f64 / SECS_PER_DAY as f64;
            if d - first < 120.0 || d + 50.0 > cal.span() {
                continue;
            }
            // The customer's own visits that did not end in an order.
            let browsing = out.sessions.iter().filter(|s| {
                s.visitor.is_none()
                    && !out.events[s.events.clone()]
                        .iter()
                        .any(|e| e.page == Some(Page::Checkout))
            });
            for s in browsing {
                let day = s.start_ms as f64 / (SECS_PER_DAY * 1000) as f64;
                let product_dwell = out.events[s.events.clone()]
                    .iter()
                    .filter(|e| e.page == Some(Page::Product))
                    .map(|e| u64::from(e.duration_ms.unwrap()));
                if (d - 90.0..d - 45.0).contains(&day) {
                    before += 1;
                    for x in product_dwell {
                        dwell_before.0 += x;
                        dwell_before.1 += 1;
                    }
                } else if (d - 45.0..d).contains(&day) {
                    fading += 1;
                    for x in product_dwell {
                        dwell_fading.0 += x;
                        dwell_fading.1 += 1;
                    }
                } else if (d + 5.0..d + 50.0).contains(&day) {
                    after += 1;
                }
            }
        }
        assert!(
            (fading as f64) < 0.85 * before as f64,
            "{before} → {fading}"
        );
        assert!((after as f64) < 0.25 * before as f64, "{before} → {after}");
        let mean = |x: (u64, u64)| x.0 as f64 / x.1 as f64;
        assert!(mean(dwell_fading) < 0.85 * mean(dwell_before));
    }

    #[test]
    fn scenario_shoppers_buy_at_festivals() {
        let (cal, catalog) = shop_parts();
        let shop = Shop::new(&cal, &catalog, 42);
        let mut out = CustomerOut::default();
        let (mut festival, mut all) = ([0usize; 3], [0usize; 3]);
        for i in 0..4000 {
            shop.customer(i, &mut out);
            let k = out.kind.unwrap() as usize;
            for o in &out.orders {
                all[k] += 1;
                festival[k] += usize::from(cal.is_festival((o.secs / SECS_PER_DAY) as usize));
            }
        }
        let share = |k: usize| festival[k] as f64 / all[k] as f64;
        assert!(share(2) > 0.6, "{}", share(2));
        assert!(share(0) < 0.35 && share(1) < 0.35);
    }

    #[test]
    fn customers_are_reproducible_one_by_one() {
        let (cal, catalog) = shop_parts();
        let shop = Shop::new(&cal, &catalog, 42);
        let mut a = CustomerOut::default();
        let mut b = CustomerOut::default();
        shop.customer(17, &mut a);
        // A different customer in between must not change customer 17.
        shop.customer(3, &mut b);
        shop.customer(17, &mut b);
        assert_eq!(a.name, b.name);
        assert_eq!(a.orders.len(), b.orders.len());
        assert_eq!(a.events.len(), b.events.len());
        assert!(
            a.orders
                .iter()
                .zip(&b.orders)
                .all(|(x, y)| x.id == y.id && x.paid_cents == y.paid_cents)
        );
    }
}

#[cfg(test)]
mod tuning {
    use super::*;
    use chrono::NaiveDate;

    /// Per-type numbers for tuning: `cargo test -p strata-demo --release tuning -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn print_type_breakdown() {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(), 2).unwrap();
        let catalog = Catalog::new(42);
        let shop = Shop::new(&cal, &catalog, 42);
        let mut out = CustomerOut::default();
        let mut rows: Vec<(usize, usize, i64)> = Vec::new();
        let mut segment = [(0usize, 0i64); 3];
        let end_secs = cal.span_secs();
        let mut churn = 0usize;
        let mut one_time = 0usize;
        for i in 0..20_000 {
            shop.customer(i, &mut out);
            let rev: i64 = out
                .orders
                .iter()
                .filter(|o| o.status == Status::Paid)
                .map(|o| o.paid_cents)
                .sum();
            rows.push((out.kind.unwrap() as usize, out.orders.len(), rev));
            let ok: Vec<&Order> = out
                .orders
                .iter()
                .filter(|o| o.status == Status::Paid)
                .collect();
            let recency = ok.last().map_or(i64::MAX, |o| end_secs - o.secs);
            churn += usize::from(ok.len() <= 2 && recency > 90 * SECS_PER_DAY && rev < 100_000);
            one_time += usize::from(out.orders.len() == 1);
            if ok.len() >= 5
                && rev >= 500_000
                && end_secs - ok.last().unwrap().secs <= 31 * SECS_PER_DAY
            {
                let s = &mut segment[out.kind.unwrap() as usize];
                s.0 += 1;
                s.1 += rev;
            }
        }
        let total: i64 = rows.iter().map(|r| r.2).sum();
        for k in 0..3 {
            let of: Vec<_> = rows.iter().filter(|r| r.0 == k).collect();
            let n = of.len() as f64;
            let orders: usize = of.iter().map(|r| r.1).sum();
            let rev: i64 = of.iter().map(|r| r.2).sum();
            println!(
                "type {k}: {n} customers, {:.1} orders each, {:.0} yuan each, {:.1}% of revenue, aov {:.0}",
                orders as f64 / n,
                rev as f64 / n / 100.0,
                100.0 * rev as f64 / total as f64,
                rev as f64 / orders as f64 / 100.0
            );
        }
        let mut revs: Vec<i64> = rows.iter().map(|r| r.2).collect();
        revs.sort_unstable_by(|a, b| b.cmp(a));
        for pct in [1, 5, 10, 20, 50] {
            let top: i64 = revs[..revs.len() * pct / 100].iter().sum();
            println!("top {pct}%: {:.1}%", 100.0 * top as f64 / total as f64);
        }
        let mut top20_types = [0; 3];
        let cut = revs[revs.len() / 5];
        for r in &rows {
            if r.2 > cut {
                top20_types[r.0] += 1;
            }
        }
        println!("types in top 20%: {top20_types:?}");
        println!(
            "churn {:.1}%, one-time {:.1}%, median revenue {:.0}",
            100.0 * churn as f64 / rows.len() as f64,
            100.0 * one_time as f64 / rows.len() as f64,
            revs[revs.len() / 2] as f64 / 100.0
        );
        for (k, s) in segment.iter().enumerate() {
            println!(
                "loyal segment, type {k}: {:.2}% of customers, {:.1}% of revenue",
                100.0 * s.0 as f64 / rows.len() as f64,
                100.0 * s.1 as f64 / total as f64
            );
        }
    }
}
