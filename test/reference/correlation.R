# Reference values for src/stats/correlation.ts: R cor(), var(), cov(), cor.test().
# Run from the repository root:  Rscript test/reference/correlation.R
source("test/reference/json.R")
set.seed(42)
mk <- function(n, rho, mx = 0, my = 0, sx = 1, sy = 1) {
  z1 <- rnorm(n); z2 <- rnorm(n)
  list(x = mx + sx * z1, y = my + sy * (rho * z1 + sqrt(1 - rho^2) * z2))
}
datasets <- list(
  n30 = mk(30, 0.3),
  n4 = mk(4, 0.5),
  n5_ties = list(x = c(1, 2, 2, 3, 3), y = c(2, 1, 4, 4, 5)),
  n3 = list(x = c(1, 2, 4), y = c(1, 3, 2)),
  offset1e8 = mk(50, -0.4, mx = 1e8, my = 1e8),
  scores = list(x = c(36, 38, 40, 33, 39, 37, 40, 35, 38, 39, 34, 40),
                y = c(18, 24, 30, 12, 27, 20, 33, 19, 25, 28, 15, 31)),
  n1000 = mk(1000, 0.278),
  tiny_r = mk(200, 0.0)
)
cases <- lapply(names(datasets), function(nm) {
  d <- datasets[[nm]]
  ct <- cor.test(d$x, d$y)
  list(
    name = nm, x = I(d$x), y = I(d$y), n = length(d$x),
    r = cor(d$x, d$y), var_x = var(d$x), var_y = var(d$y), cov = cov(d$x, d$y),
    mean_x = mean(d$x), mean_y = mean(d$y),
    t = unname(ct$statistic), df = unname(ct$parameter), p = ct$p.value,
    ci = if (is.null(ct$conf.int)) NULL else I(as.numeric(ct$conf.int))
  )
})
# cor.test at other confidence levels (n30)
lv <- lapply(c(0.8, 0.9, 0.99), function(cl) {
  ct <- cor.test(datasets$n30$x, datasets$n30$y, conf.level = cl)
  list(level = cl, ci = I(as.numeric(ct$conf.int)))
})
# psych::r.con (Fisher interval from r and n) for a few (r, n)
rcon <- lapply(list(c(0.5, 30), c(-0.2, 10), c(0.9, 100), c(0.278, 5)), function(a)
  list(r = a[1], n = a[2], ci = I(as.numeric(psych::r.con(a[1], a[2], p = 0.95)))))
# perfect correlation: what R does (documented, not matched: we report not estimable)
pc <- suppressWarnings(cor.test(1:5, 2 * (1:5) + 1))
out <- list(
  generator = "test/reference/correlation.R",
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  cases = cases, levels = lv, r_con = rcon,
  perfect = list(r = unname(pc$estimate), t = unname(pc$statistic), p = pc$p.value, ci = I(as.numeric(pc$conf.int)))
)
write_json_file(out, "test/reference/correlation.json")
