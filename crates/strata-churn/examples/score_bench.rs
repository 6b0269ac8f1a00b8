//! Scoring speed: the workspace's saved churn model applied to a million customers.
//!
//! `score_bench WORKSPACE [CUSTOMERS]` builds the features of the workspace's customers as of
//! its latest order day, repeats them to CUSTOMERS rows (default 1,000,000), and times scoring
//! them: churn probability, risk tier and the three reasons per customer, then the win-back
//! list. Features are built once, outside the timing; `bench/churn/run.sh` times the whole
//! `strata churn score` separately.

use std::time::Instant;

use strata_churn::config::Contributions;
use strata_churn::features::FeatureSet;
use strata_churn::{score, train, winback};

fn tile(fs: &FeatureSet, n: usize) -> FeatureSet {
    let m = fs.len();
    let pick = |i: usize| i % m;
    FeatureSet {
        end_us: fs.end_us,
        as_of: fs.as_of,
        ids: (0..n)
            .map(|i| format!("{}-{}", fs.ids[pick(i)], i / m))
            .collect(),
        profile_rows: (0..n).collect(),
        in_population: (0..n).map(|i| fs.in_population[pick(i)]).collect(),
        columns: fs
            .columns
            .iter()
            .map(|c| (0..n).map(|i| c[pick(i)]).collect())
            .collect(),
        sources: fs.sources.clone(),
        signals: fs
            .signals
            .iter()
            .map(|c| (0..n).map(|i| c[pick(i)]).collect())
            .collect(),
        context: strata_churn::features::Context {
            rfm_segment: (0..n)
                .map(|i| fs.context.rfm_segment[pick(i)].clone())
                .collect(),
            spend_tier: (0..n)
                .map(|i| fs.context.spend_tier[pick(i)].clone())
                .collect(),
            lifecycle: (0..n)
                .map(|i| fs.context.lifecycle[pick(i)].clone())
                .collect(),
            value_if_retained: (0..n)
                .map(|i| fs.context.value_if_retained[pick(i)])
                .collect(),
        },
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let ws = strata_store::Workspace::open(std::path::Path::new(&args[1]))?;
    let n: usize = args.get(2).map_or(Ok(1_000_000), |s| s.parse())?;
    let mut model = strata_churn::load_current(&ws)?.ok_or("train a model first")?;
    let ctx = strata_store::session(&ws)?;
    let rt = tokio::runtime::Runtime::new()?;
    let (_, last) = rt.block_on(train::order_days(&ctx, &model.timezone))?;
    let fs = rt.block_on(train::features_at(
        &ctx,
        &model.analyze,
        &model.timezone,
        &model.config,
        last,
    ))?;
    // Everyone in the early-warning population, so every row is scored.
    let base: Vec<usize> = fs.population();
    let mut pop = fs.clone();
    pop.ids = base.iter().map(|&r| fs.ids[r].clone()).collect();
    pop.in_population = vec![true; base.len()];
    pop.columns = fs
        .columns
        .iter()
        .map(|c| base.iter().map(|&r| c[r]).collect())
        .collect();
    pop.signals = fs
        .signals
        .iter()
        .map(|c| base.iter().map(|&r| c[r]).collect())
        .collect();
    pop.context.value_if_retained = base
        .iter()
        .map(|&r| fs.context.value_if_retained[r])
        .collect();
    pop.context.rfm_segment = base
        .iter()
        .map(|&r| fs.context.rfm_segment[r].clone())
        .collect();
    pop.context.spend_tier = base
        .iter()
        .map(|&r| fs.context.spend_tier[r].clone())
        .collect();
    pop.context.lifecycle = base
        .iter()
        .map(|&r| fs.context.lifecycle[r].clone())
        .collect();
    pop.profile_rows = (0..base.len()).collect();
    let big = tile(&pop, n);
    println!(
        "model {} ({} trees, depth {}, {} features); {} customers ({} distinct rows tiled)",
        model.version,
        model.fitted.trees,
        model.config.max_depth,
        model.fitted.features.len(),
        n,
        base.len()
    );
    let all: Vec<usize> = (0..n).collect();
    let t = Instant::now();
    let p = model.fitted.predict(&big, &all)?;
    let predict = t.elapsed().as_secs_f64();
    std::hint::black_box(&p);
    let mut best = f64::INFINITY;
    let mut scored = None;
    for _ in 0..3 {
        let input = big.clone();
        let t = Instant::now();
        let s = score::score_features(&model, input)?;
        best = best.min(t.elapsed().as_secs_f64());
        scored = Some(s);
    }
    let scores = scored.expect("scored");
    // Everyone agreed to be contacted, so the list is as long as it gets.
    let contacts = vec![
        winback::Contact {
            name: Some("张三".into()),
            phone: Some("13812345678".into()),
            consent: Some(true),
        };
        scores.fs.len()
    ];
    let t = Instant::now();
    let list = winback::build(&model, &scores, &contacts);
    let batch = winback::batch(&model, &scores, &list, &contacts, strata_charts::Lang::Zh)?;
    let listing = t.elapsed().as_secs_f64();
    println!("probabilities only (trees + logistic baseline): {predict:.3} s");
    println!(
        "scoring (probability, tier, path contributions, top-3 reasons): {best:.3} s best of 3 = {:.2} M customers/s; target 2 s, ratio {:.2}x under",
        n as f64 / best / 1e6,
        2.0 / best
    );
    println!(
        "win-back list with reasons in words ({} rows): {listing:.3} s",
        batch.num_rows()
    );
    // Exact tree SHAP values instead, on a tenth of the customers.
    model.fitted.contributions = Contributions::Shapley;
    let tenth = tile(&pop, n / 10);
    let t = Instant::now();
    std::hint::black_box(score::score_features(&model, tenth)?);
    let shap = t.elapsed().as_secs_f64();
    println!(
        "with exact Shapley contributions: {shap:.3} s for {} customers (≈ {:.1} s a million)",
        n / 10,
        shap * 10.0
    );
    Ok(())
}
