use strata_models::special::hyp2f1_ln;
fn main() {
    let (r, alpha, a, b, x, t): (f64, f64, f64, f64, f64, f64) = (
        13.250169133277607,
        2.9548559087303357,
        17.697026588003546,
        163.59156297178566,
        4.0,
        0.14142363451459017,
    );
    let (big_a, bp) = (r + x, b + x);
    let c = a + bp - 1.0;
    for h in [7.0, 39.0, 52.0, 365.0] {
        let z = h / (alpha + t + h);
        let v = hyp2f1_ln(big_a, bp, c, z);
        println!("{h} {z} {:.15} {}", v.0, v.1);
    }
}
