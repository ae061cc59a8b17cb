# learn: wire lists and resistances from a per-contact jig's gains (the classify corpus's
# independent nodal oracle makes the measurements), refused samples, which jigs can learn.
tw_unit_test(learn tonewire_station)
target_sources(test_learn PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus.c ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
