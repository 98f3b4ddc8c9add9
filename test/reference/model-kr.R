# Reference values for `alliance model --df kr` (src/stats/lmm/kr.ts): Kenward-Roger
# (Kenward & Roger 1997, doi:10.2307/2533558) as pbkrtest computes it (Halekoh & Hojsgaard
# 2014, doi:10.18637/jss.v059.i09) and lmerTest reports it:
#   summary(fit, ddf = "Kenward-Roger")  -> estimate, adjusted SE (sqrt diag of vcovAdj),
#                                           KR df (pbkrtest::Lb_ddf), t, p
#   contest1D(fit, L, ddf = "Kenward-Roger") for the contextual effect (between - within)
#   pbkrtest::vcovAdj(fit)               -> the adjusted covariance matrix itself
#   pbkrtest::KRmodcomp on the single coefficient -> the F statistic (= t^2) and its df
# On the rows the tool uses (every model variable present), person-mean centred there, for
# `alliance model FILE --outcome outcome --alliance alliance [flags] --df kr`: random
# intercepts (balanced, unbalanced, singular, demo data), with session and a covariate,
# random slopes (alliance, session), clients nested in therapists, therapist level with a
# random slope, the therapist decomposition, and lagged models. Run from the repository root:
#   Rscript test/reference/model-kr.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(pbkrtest) })
source("test/reference/json.R")

tight_ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))
read_fixture <- function(name) read.csv(file.path("fixtures/model", paste0(name, ".csv")), stringsAsFactors = FALSE)
read_demo <- function() {
  d <- read.csv("fixtures/demo.csv", stringsAsFactors = FALSE)
  data.frame(client = d$client_id, therapist = d$therapist_id, session = d$session, alliance = d$srs, outcome = d$ors)
}

kr_case <- function(name, d, args, time = FALSE, covariates = NULL, slope = NULL, nested = FALSE, decompose = FALSE) {
  vars <- c("alliance", "outcome", if (time) "session", covariates)
  md <- d[complete.cases(d[, vars]), ]
  md$cm <- ave(md$alliance, md$client, FUN = mean)
  md$y <- md$outcome
  if (decompose) {
    cm <- tapply(md$alliance, md$client, mean)
    ct <- tapply(md$therapist, md$client, function(x) x[1])
    tm <- tapply(cm, ct[names(cm)], mean)
    md$a_therapist <- unname(tm[md$therapist])
    md$a_client <- md$cm - md$a_therapist
    md$a_session <- md$alliance - md$cm
    fixed <- c("a_session", "a_client", "a_therapist")
  } else {
    md$x_between <- md$cm
    md$x_within <- md$alliance - md$cm
    fixed <- c("x_within", "x_between")
  }
  fixed <- c(fixed, if (time) "session", covariates)
  re_int <- if (nested) "(1 | therapist/client)" else "(1 | client)"
  re <- if (!is.null(slope)) paste0(sprintf("(1 + %s | client)", slope), if (nested) " + (1 | therapist)" else "") else re_int
  f <- as.formula(paste("y ~", paste(fixed, collapse = " + "), "+", re))
  fit <- lmerTest::lmer(f, data = md, REML = TRUE, control = tight_ctrl)
  co <- summary(fit, ddf = "Kenward-Roger")$coefficients
  L <- setNames(rep(0, length(fixef(fit))), names(fixef(fit)))
  L[fixed[2]] <- 1
  L[fixed[1]] <- -1
  ct <- lmerTest::contest1D(fit, L, ddf = "Kenward-Roger")
  va <- as.matrix(pbkrtest::vcovAdj(fit))
  # F test of the within coefficient alone (KRmodcomp with a one-row L): F = t^2
  L1 <- matrix(0, 1, length(fixef(fit)))
  L1[1, 2] <- 1
  krf <- pbkrtest::KRmodcomp(fit, L1)$test
  list(name = name, args = I(args), nobs = nrow(md), theta = I(unname(getME(fit, "theta"))), sigma = sigma(fit),
       fixef = list(term = I(rownames(co)), estimate = I(unname(co[, "Estimate"])), se = I(unname(co[, "Std. Error"])),
                    df = I(unname(co[, "df"])), t = I(unname(co[, "t value"])), p = I(unname(co[, "Pr(>|t|)"])),
                    se_unadjusted = I(unname(sqrt(diag(as.matrix(vcov(fit))))))),
       contextual = list(estimate = ct$Estimate, se = ct[["Std. Error"]], df = ct$df, t = ct[["t value"]], p = ct[["Pr(>|t|)"]]),
       vcov_adjusted = I(as.vector(t(va))),
       within_F = list(F = krf["Ftest", "stat"], ndf = krf["Ftest", "ndf"], ddf = krf["Ftest", "ddf"], p = krf["Ftest", "p.value"]))
}

# lagged: pairs (s, s + 1) of a client with consecutive session numbers and alliance(s),
# outcome(s), outcome(s + 1) present; y(s+1) ~ x_within(s) + x_between + previous(s) + (1 | client)
# with the centring over the pairs used (`alliance model --lag`)
kr_lag_case <- function(name, d, args) {
  d <- d[order(d$client, d$session), ]
  n <- nrow(d)
  nx <- c(2:n, n)
  i <- which(seq_len(n) < n & d$client[nx] == d$client & d$session[nx] == d$session + 1 &
             !is.na(d$alliance) & !is.na(d$outcome) & !is.na(d$outcome[nx]))
  md <- data.frame(client = d$client[i], y = d$outcome[i + 1], previous = d$outcome[i], alliance = d$alliance[i])
  md$x_between <- ave(md$alliance, md$client, FUN = mean)
  md$x_within <- md$alliance - md$x_between
  fit <- lmerTest::lmer(y ~ x_within + x_between + previous + (1 | client), data = md, REML = TRUE, control = tight_ctrl)
  co <- summary(fit, ddf = "Kenward-Roger")$coefficients
  ct <- lmerTest::contest1D(fit, c(0, -1, 1, 0), ddf = "Kenward-Roger")
  L1 <- matrix(c(0, 1, 0, 0), 1)
  krf <- pbkrtest::KRmodcomp(fit, L1)$test
  list(name = name, args = I(args), nobs = nrow(md), theta = I(unname(getME(fit, "theta"))), sigma = sigma(fit),
       fixef = list(term = I(rownames(co)), estimate = I(unname(co[, "Estimate"])), se = I(unname(co[, "Std. Error"])),
                    df = I(unname(co[, "df"])), t = I(unname(co[, "t value"])), p = I(unname(co[, "Pr(>|t|)"])),
                    se_unadjusted = I(unname(sqrt(diag(as.matrix(vcov(fit))))))),
       contextual = list(estimate = ct$Estimate, se = ct[["Std. Error"]], df = ct$df, t = ct[["t value"]], p = ct[["Pr(>|t|)"]]),
       vcov_adjusted = I(as.vector(t(as.matrix(pbkrtest::vcovAdj(fit))))),
       within_F = list(F = krf["Ftest", "stat"], ndf = krf["Ftest", "ndf"], ddf = krf["Ftest", "ddf"], p = krf["Ftest", "p.value"]))
}

bal <- read_fixture("balanced")
unb <- read_fixture("unbalanced")
nes <- read_fixture("nested")
sing <- read_fixture("singular")
demo <- read_demo()
cases <- list(
  kr_case("balanced_ri", bal, c("fixtures/model/balanced.csv")),
  kr_case("unbalanced_ri", unb, c("fixtures/model/unbalanced.csv")),
  kr_case("unbalanced_time_age", unb, c("fixtures/model/unbalanced.csv", "--time", "--covariate", "age"), time = TRUE, covariates = "age"),
  kr_case("singular_ri", sing, c("fixtures/model/singular.csv")),
  kr_case("balanced_slope", bal, c("fixtures/model/balanced.csv", "--random-slope"), slope = "x_within"),
  kr_case("unbalanced_slope_time", unb, c("fixtures/model/unbalanced.csv", "--time", "--random-slope", "time"), time = TRUE, slope = "session"),
  kr_case("nested_ri", nes, c("fixtures/model/nested.csv", "--group", "therapist"), nested = TRUE),
  kr_case("nested_slope", nes, c("fixtures/model/nested.csv", "--group", "therapist", "--random-slope"), slope = "x_within", nested = TRUE),
  kr_case("nested_decompose", nes, c("fixtures/model/nested.csv", "--decompose", "therapist"), nested = TRUE, decompose = TRUE),
  kr_case("demo_ri", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs")),
  kr_case("demo_nested", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--group", "therapist"), nested = TRUE),
  kr_case("demo_slope", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--random-slope"), slope = "x_within"),
  kr_lag_case("unbalanced_lag", unb, c("fixtures/model/unbalanced.csv", "--lag")),
  kr_lag_case("demo_lag", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--lag"))
)

out <- list(
  generated_by = "test/reference/model-kr.R",
  versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")),
                  pbkrtest = as.character(packageVersion("pbkrtest"))),
  cases = cases
)
writeLines(to_json(out), "test/reference/model-kr.json")
cat("wrote test/reference/model-kr.json\n")
