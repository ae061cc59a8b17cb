# The simulated jig: the scenario parser's unit test, and tests that open the
# tonewire_sim plugin through alsa-lib (in process, and aplay/arecord apart).
if(NOT TARGET tonewire_scenario)
  return()
endif()

tw_unit_test(scenario tonewire_scenario)
