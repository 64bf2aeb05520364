// specification tests of the case engine (being written)
