# A station on a line (issue 17): SHA-256 and the profile fingerprint, the series-resistance
# read-back, and the store's outbox, serial history and kept state.
tw_unit_test(profile_hash tonewire_station)
tw_unit_test(series tonewire_station)
target_sources(test_series PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/oracle.c)
if(TARGET tonewired)
  tw_unit_test(store_line PkgConfig::SQLITE3 PkgConfig::JANSSON Threads::Threads)
  target_sources(test_store_line PRIVATE ${PROJECT_SOURCE_DIR}/daemon/store.c ${PROJECT_SOURCE_DIR}/daemon/store_line.c)
  target_include_directories(test_store_line PRIVATE ${PROJECT_SOURCE_DIR}/daemon)
endif()
