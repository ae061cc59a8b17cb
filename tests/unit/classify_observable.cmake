# What the classifier says at the edge of what a measurement shows: second faults by how far the noise lets
# them be seen, and measurements without a round trip.
tw_unit_test(classify_observable tonewire_dsp)
target_sources(test_classify_observable PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/classify_corpus.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
