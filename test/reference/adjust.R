# Reference values for src/stats/adjust.ts: R p.adjust().
# Run from the repository root:  Rscript test/reference/adjust.R
# NA in the inputs is written as null (the TS test maps null -> NaN).
source("test/reference/json.R")
set.seed(3)
inputs <- list(
  simple = c(0.01, 0.04, 0.03),
  ties = c(0.02, 0.02, 0.001, 0.04, 0.02, 0.5),
  with_na = c(0.01, NA, 0.04, NA, 0.03, 0.2),
  large = c(0.9, 0.8, 0.95, 0.7),
  single = c(0.03),
  zeros_ones = c(0, 1, 0, 0.5),
  random30 = round(runif(30)^3, 6),
  tiny = c(1e-300, 1e-20, 3e-8, 0.049, 0.051)
)
cases <- lapply(names(inputs), function(nm) {
  p <- inputs[[nm]]
  list(name = nm, p = I(p), holm = I(p.adjust(p, "holm")), bh = I(p.adjust(p, "BH")),
       bonferroni = I(p.adjust(p, "bonferroni")))
})
write_json_file(list(generator = "test/reference/adjust.R", r_version = R.version.string, cases = cases),
                "test/reference/adjust.json")
