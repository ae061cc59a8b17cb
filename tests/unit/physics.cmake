# Physics of the jig: network solver, fixture model and wiring classifier.
tw_unit_test(network tonewire_dsp)
tw_unit_test(fixture tonewire_dsp)
tw_unit_test(classify tonewire_dsp)
# The jigs and fault corpus are shared with bench/classify.
target_sources(test_classify PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus.c ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus_faults.c)
# Naming, ambiguity, channels and jig checks on hand-built jigs.
tw_unit_test(classify_names tonewire_dsp)
target_sources(test_classify_names PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus.c ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
# Every shipped cable profile through the same corpus, in a shipped jig it fits.
tw_unit_test(classify_profiles tonewire_profiles tonewire_dsp)
target_sources(test_classify_profiles PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus.c ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus_faults.c)
