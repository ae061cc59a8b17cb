# bench/load: xruns and wrong verdicts over 200 tests per buffer layout while stress-ng keeps every core busy.
if(TARGET tonewire_station)
  add_executable(bench_load ${CMAKE_CURRENT_SOURCE_DIR}/load.c)
  target_link_libraries(bench_load PRIVATE tonewire_station tonewire_profiles tonewire_dsp Threads::Threads tonewire_flags)
  set_target_properties(bench_load PROPERTIES OUTPUT_NAME load RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  add_dependencies(bench_load tonewire_sim_pcm)
endif()
