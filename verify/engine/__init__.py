"""The audit engine, generic over claims: outcomes and the verdict rule (`claims`), answer sheets
(`sheet`), formula reading and equivalence (`formula`, `latex_formula`, `formula_rules`), a
formula's value at a removable singularity, its limit (`removable`), running
claims against a sheet (`audit`) and forked workers (`parallel`). It knows no question."""
