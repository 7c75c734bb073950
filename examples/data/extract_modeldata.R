# How the bundled CSV files were made (run once; needs Debian's r-base-core and
# r-cran-modeldata):  Rscript examples/data/extract_modeldata.R
# Writes each data frame as CSV: factors as text, missing values as empty fields.
e <- new.env()
lazyLoad(file.path(system.file("data", package = "modeldata"), "Rdata"), envir = e)
files <- c(mlc_churn = "churn", credit_data = "credit_data", hpc_data = "hpc_data",
           penguins = "penguins", ames = "ames")
for (n in names(files)) {
  d <- as.data.frame(get(n, envir = e))
  for (c in names(d)) if (is.factor(d[[c]])) d[[c]] <- as.character(d[[c]])
  write.csv(d, paste0(files[[n]], ".csv"), row.names = FALSE, na = "")
}
