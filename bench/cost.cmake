# bench/cost: CPU per test (analysis and classification) against contacts and sample rate.
if(TARGET tonewire_station)
  add_executable(bench_cost ${CMAKE_CURRENT_SOURCE_DIR}/cost.c)
  target_link_libraries(bench_cost PRIVATE tonewire_station tonewire_dsp tonewire_flags m)
  set_target_properties(bench_cost PROPERTIES OUTPUT_NAME cost RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
