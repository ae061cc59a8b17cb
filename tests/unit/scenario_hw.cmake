# a scenario's hardware keys, over an interface profile.
if(TARGET tonewire_scenario)
  tw_unit_test(scenario_hw tonewire_scenario)
endif()
