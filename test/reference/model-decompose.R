# Reference values for the therapist decomposition of `alliance model` beyond
# lmm-models.R's `decompose` cases (Baldwin, Wampold & Imel 2007, doi:10.1037/0022-006X.75.6.842):
#
#  lagged:  `--decompose therapist --lag [--ml] [--time] [--reverse]`: pairs (s, s + 1) of the
#           same client with consecutive session numbers and the predictor at s, the response
#           at s + 1 and the response variable at s all present; components of the predictor
#           at s over the pairs used (therapist = mean over the therapist's clients of the client
#           means, client = client mean - therapist component, session = value - client mean);
#           y(s+1) ~ p_session + p_client + p_therapist + y_previous [+ session] +
#           (1 | therapist) + (1 | therapist:client), lmerTest (REML or ML, Satterthwaite).
#  client:  `--decompose therapist --level client`: one row per client, as Baldwin et al.:
#           alliance = mean of the client's first K rated alliance sessions in session order
#           (`--early-sessions K`, default 3; the client needs K of them) or the mean over all
#           rated sessions (`--client-alliance mean`); intake = outcome at the client's earliest
#           session with an outcome, final = outcome at the latest, which must be later than the
#           intake and (early) than the K-th alliance session; therapist component = mean of the
#           alliance over the therapist's clients, client = alliance - therapist component;
#           final ~ a_client + a_therapist + intake + (1 | therapist) (REML or ML; Satterthwaite,
#           and Kenward-Roger via pbkrtest); therapist ICCs of final and of the alliance from
#           v ~ 1 + (1 | therapist) (REML).
# Run from the repository root:  Rscript test/reference/model-decompose.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(pbkrtest) })
source("test/reference/json.R")

tight_ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))
read_fixture <- function(name) read.csv(file.path("fixtures/model", paste0(name, ".csv")), stringsAsFactors = FALSE)
read_demo <- function() {
  d <- read.csv("fixtures/demo.csv", stringsAsFactors = FALSE)
  data.frame(client = d$client_id, therapist = d$therapist_id, session = d$session, alliance = d$srs, outcome = d$ors)
}
fixef_table <- function(co) {
  list(term = I(rownames(co)), estimate = I(unname(co[, "Estimate"])), se = I(unname(co[, "Std. Error"])),
       df = I(unname(co[, "df"])), p = I(unname(co[, "Pr(>|t|)"])))
}
components <- function(md, v) {
  cm <- tapply(v, md$client, mean)
  ct <- tapply(md$therapist, md$client, function(x) x[1])
  tm <- tapply(cm, ct[names(cm)], mean)
  md$p_therapist <- unname(tm[md$therapist])
  md$p_client <- unname(cm[md$client]) - md$p_therapist
  md$p_session <- v - unname(cm[md$client])
  md
}

# ---- lagged --------------------------------------------------------------------------------
lag_case <- function(name, d, args, ml = FALSE, time = FALSE, reverse = FALSE) {
  d <- d[order(d$client, d$session), ]
  pv <- if (reverse) "outcome" else "alliance"
  rv <- if (reverse) "alliance" else "outcome"
  n <- nrow(d)
  nxt <- c(2:n, NA)
  ok <- !is.na(nxt) & d$client[pmin(nxt, n)] == d$client & d$session[pmin(nxt, n)] == d$session + 1
  ok[is.na(ok)] <- FALSE
  i <- which(ok & !is.na(d[[pv]]) & !is.na(d[[rv]]) & !is.na(d[[rv]][pmin(nxt, n)]))
  md <- data.frame(client = d$client[i], therapist = d$therapist[i], session = d$session[i],
                   y = d[[rv]][i + 1], previous = d[[rv]][i], pred = d[[pv]][i])
  md <- components(md, md$pred)
  f <- as.formula(paste("y ~ p_session + p_client + p_therapist + previous", if (time) "+ session",
                        "+ (1 | therapist) + (1 | therapist:client)"))
  fit <- lmerTest::lmer(f, data = md, REML = !ml, control = tight_ctrl)
  vc <- as.data.frame(VarCorr(fit))
  list(name = name, args = I(args), pairs = nrow(md), fixef = fixef_table(summary(fit)$coefficients),
       logLik = as.numeric(logLik(fit)), varcomp = list(grp = I(vc$grp), vcov = I(vc$vcov)))
}

# ---- client level --------------------------------------------------------------------------
client_rows <- function(d, mode = "early", k = 3) {
  d <- d[!is.na(d$session), ]
  d <- d[order(d$client, d$session), ]
  rows <- lapply(split(d, d$client), function(c) {
    al <- c[!is.na(c$alliance), ]
    oc <- c[!is.na(c$outcome), ]
    if (nrow(oc) < 2) return(NULL)
    if (mode == "early") {
      if (nrow(al) < k) return(NULL)
      a <- mean(al$alliance[1:k])
      last_a <- al$session[k]
    } else {
      if (nrow(al) < 1) return(NULL)
      a <- mean(al$alliance)
      last_a <- -Inf
    }
    intake <- oc[1, ]
    final <- oc[nrow(oc), ]
    if (!(final$session > intake$session) || !(final$session > last_a)) return(NULL)
    data.frame(client = c$client[1], therapist = c$therapist[1], a = a, intake = intake$outcome, final = final$outcome)
  })
  do.call(rbind, rows)
}
client_case <- function(name, d, args, mode = "early", k = 3, ml = FALSE) {
  md <- client_rows(d, mode, k)
  tm <- tapply(md$a, md$therapist, mean)
  md$a_therapist <- unname(tm[md$therapist])
  md$a_client <- md$a - md$a_therapist
  f <- final ~ a_client + a_therapist + intake + (1 | therapist)
  fit <- lmerTest::lmer(f, data = md, REML = !ml, control = tight_ctrl)
  vc <- as.data.frame(VarCorr(fit))
  icc <- function(v) {
    md$v <- v
    n <- lme4::lmer(v ~ 1 + (1 | therapist), data = md, REML = TRUE, control = tight_ctrl)
    vn <- as.data.frame(VarCorr(n))
    vn$vcov[vn$grp == "therapist"] / sum(vn$vcov)
  }
  L <- c(0, -1, 1, 0)
  ct <- lmerTest::contest1D(fit, L)
  out <- list(name = name, args = I(args), clients = nrow(md), therapists = length(unique(md$therapist)),
              ml = ml, fixef = fixef_table(summary(fit)$coefficients), contextual_df = ct$df, contextual_se = ct[["Std. Error"]],
              logLik = as.numeric(logLik(fit)), varcomp = list(grp = I(vc$grp), vcov = I(vc$vcov)),
              icc_outcome = icc(md$final), icc_alliance = icc(md$a))
  if (!ml) out$kr <- fixef_table(summary(fit, ddf = "Kenward-Roger")$coefficients)
  out
}

nes <- read_fixture("nested")
demo <- read_demo()
lagged <- list(
  lag_case("nested_lag_reml", nes, c("fixtures/model/nested.csv", "--lag")),
  lag_case("nested_lag_ml", nes, c("fixtures/model/nested.csv", "--lag", "--ml"), ml = TRUE),
  lag_case("nested_lag_time_reml", nes, c("fixtures/model/nested.csv", "--lag", "--time"), time = TRUE),
  lag_case("nested_lag_time_ml", nes, c("fixtures/model/nested.csv", "--lag", "--time", "--ml"), ml = TRUE, time = TRUE),
  lag_case("nested_lag_reverse_reml", nes, c("fixtures/model/nested.csv", "--lag", "--reverse"), reverse = TRUE),
  lag_case("demo_lag_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--lag"))
)
client <- list(
  client_case("nested_early3_reml", nes, c("fixtures/model/nested.csv")),
  client_case("nested_early2_ml", nes, c("fixtures/model/nested.csv", "--early-sessions", "2", "--ml"), k = 2, ml = TRUE),
  client_case("nested_mean_reml", nes, c("fixtures/model/nested.csv", "--client-alliance", "mean"), mode = "mean"),
  client_case("demo_early3_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs")),
  client_case("demo_mean_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--client-alliance", "mean"), mode = "mean")
)

out <- list(
  generated_by = "test/reference/model-decompose.R",
  versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")),
                  pbkrtest = as.character(packageVersion("pbkrtest"))),
  lagged = lagged,
  client = client
)
writeLines(to_json(out), "test/reference/model-decompose.json")
cat("wrote test/reference/model-decompose.json\n")
