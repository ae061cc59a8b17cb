# Physics of the jig: network solver, fixture model and wiring classifier.
tw_unit_test(network tonewire_dsp)
tw_unit_test(fixture tonewire_dsp)
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_classify.c)
  tw_unit_test(classify tonewire_dsp)
endif()
