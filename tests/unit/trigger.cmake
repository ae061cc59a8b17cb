# The hands-free trigger's decisions, fed synthetic insertions (the daemon's trigger.c and events.c).
if(TARGET tonewired)
  tw_unit_test(trigger tonewire_profiles tonewire_dsp PkgConfig::JANSSON PkgConfig::MHD Threads::Threads)
  target_sources(test_trigger PRIVATE ${PROJECT_SOURCE_DIR}/daemon/trigger.c ${PROJECT_SOURCE_DIR}/daemon/events.c)
  target_include_directories(test_trigger PRIVATE ${PROJECT_SOURCE_DIR}/daemon ${PROJECT_SOURCE_DIR}/station)
  target_sources(test_trigger PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
endif()
