# APA sentences of `alliance model --format apa` on fixtures/model/balanced.csv, formatted
# here in R (sprintf, independent of the TypeScript formatting) from lme4 + lmerTest fits:
# b, SE, 95% CI (estimate +- qt(.975, df) SE, Satterthwaite df), t(df), p for each fixed
# effect, and the ICC of the null model.
# Run from the repository root:  Rscript test/reference/apa.R   (writes test/reference/apa.json)
suppressMessages({ library(lmerTest); library(jsonlite) })

nolead <- function(s) sub("^(-?)0\\.", "\\1.", s)
f2 <- function(x) sprintf("%.2f", x)
apa_p <- function(p) if (p < 0.001) "p < .001" else paste0("p = ", nolead(sprintf("%.3f", p)))
apa_df <- function(df) if (abs(df - round(df)) < 1e-9) sprintf("%d", as.integer(round(df))) else sprintf("%.1f", df)

d <- read.csv("fixtures/model/balanced.csv", stringsAsFactors = FALSE)
d$alliance_between <- ave(d$alliance, d$client, FUN = mean)
d$alliance_within <- d$alliance - d$alliance_between
m <- lmer(outcome ~ alliance_within + alliance_between + (1 | client), data = d, REML = TRUE)
co <- summary(m)$coefficients
stats <- list()
for (term in c("alliance_within", "alliance_between")) {
  est <- co[term, "Estimate"]; se <- co[term, "Std. Error"]; df <- co[term, "df"]
  tv <- co[term, "t value"]; p <- co[term, "Pr(>|t|)"]; h <- qt(0.975, df) * se
  stats[[term]] <- list(
    estimate = est, se = se, df = df, t = tv, p = p,
    text = sprintf("b = %s, SE = %s, 95%% CI [%s, %s], t(%s) = %s, %s", f2(est), f2(se), f2(est - h), f2(est + h), apa_df(df), f2(tv), apa_p(p))
  )
}
m0 <- lmer(outcome ~ 1 + (1 | client), data = d, REML = TRUE)
vc <- as.data.frame(VarCorr(m0))
icc <- vc$vcov[vc$grp == "client"] / sum(vc$vcov)
out <- list(
  r_version = R.version.string,
  packages = list(lme4 = as.character(packageVersion("lme4")), lmerTest = as.character(packageVersion("lmerTest"))),
  file = "fixtures/model/balanced.csv",
  fixed = stats,
  icc = list(value = icc, text = paste0("ICC = ", nolead(f2(icc))))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/reference/apa.json")
