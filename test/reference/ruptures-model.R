# Reference values for `alliance ruptures --model` (src/analysis/ruptures-model.ts): the
# outcome by rupture class in a mixed model of outcome over sessions,
#   outcome ~ session * class + (1 | client)   (lme4 + lmerTest, REML, Satterthwaite df)
# on every session with an outcome of the assessed clients (>= 2 rated alliance sessions),
# class = factor(class, levels = c("none", "repaired", "unrepaired", "unresolved")) with the
# empty levels dropped (treatment contrasts against the first present), and the contrast of
# the slopes repaired - unrepaired by lmerTest::contest1D. The episodes and classes are
# computed by the functions of test/reference/ruptures.R (its episodes_of and class_of,
# evaluated from that file, independently of the TypeScript code).
# Run from the repository root:  Rscript test/reference/ruptures-model.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest) })
source("test/reference/json.R")
for (e in parse("test/reference/ruptures.R")) {
  if (is.call(e) && identical(e[[1]], as.name("<-")) && as.character(e[[2]]) %in% c("episodes_of", "class_of")) eval(e)
}
tight_ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))

model_case <- function(name, file, args, alliance, outcome, client = "client_id", drop = NULL, k = 2, window = 3) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  d <- d[order(d[[client]], d$session), ]
  rated <- d[!is.na(d[[alliance]]), ]
  if (is.null(drop)) drop <- k * sigma(lm(rated[[alliance]] ~ factor(rated[[client]])))
  cls <- c()
  for (id in unique(d[[client]])) {
    r <- rated[rated[[client]] == id, ]
    if (nrow(r) >= 2) cls[id] <- class_of(episodes_of(r$session, r[[alliance]], drop, window))
  }
  md <- d[d[[client]] %in% names(cls) & !is.na(d[[outcome]]) & !is.na(d$session), ]
  md$y <- md[[outcome]]
  md$client <- md[[client]]
  md$class <- droplevels(factor(cls[md$client], levels = c("none", "repaired", "unrepaired", "unresolved")))
  fit <- lmerTest::lmer(y ~ session * class + (1 | client), data = md, REML = TRUE, control = tight_ctrl)
  co <- summary(fit)$coefficients
  L <- setNames(rep(0, nrow(co)), rownames(co))
  L["session:classrepaired"] <- 1
  L["session:classunrepaired"] <- -1
  ct <- lmerTest::contest1D(fit, L)
  vc <- as.data.frame(VarCorr(fit))
  list(name = name, args = I(args), nobs = nrow(md), clients = length(unique(md$client)), levels = I(levels(md$class)),
       fixef = list(term = I(rownames(co)), estimate = I(unname(co[, "Estimate"])), se = I(unname(co[, "Std. Error"])),
                    df = I(unname(co[, "df"])), p = I(unname(co[, "Pr(>|t|)"]))),
       contrast = list(estimate = ct$Estimate, se = ct[["Std. Error"]], df = ct$df, p = ct[["Pr(>|t|)"]]),
       client_variance = vc$vcov[vc$grp == "client"], residual_variance = vc$vcov[vc$grp == "Residual"])
}

cases <- list(
  model_case("planted-default", "fixtures/ruptures/planted.csv", c("fixtures/ruptures/planted.csv"), "srs", "phq9"),
  model_case("planted-sd1", "fixtures/ruptures/planted.csv", c("fixtures/ruptures/planted.csv", "--rupture-sd", "1"), "srs", "phq9", k = 1),
  model_case("planted-drop4-window2", "fixtures/ruptures/planted.csv", c("fixtures/ruptures/planted.csv", "--rupture-drop", "4", "--repair-window", "2"), "srs", "phq9", drop = 4, window = 2)
)
out <- list(generated_by = "test/reference/ruptures-model.R",
            versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")), lmerTest = as.character(packageVersion("lmerTest"))),
            cases = cases)
writeLines(to_json(out), "test/reference/ruptures-model.json")
cat("wrote test/reference/ruptures-model.json\n")
