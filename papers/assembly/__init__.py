"""Further learners from the one assembly: a learned loss and a linear SVM (CFGBL §6, footnote 7)."""
