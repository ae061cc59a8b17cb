# The HTTP layer's pure parts: the connection gate's request check (daemon/http_head.c).
if(TARGET tonewired)
  tw_unit_test(http_head)
  target_sources(test_http_head PRIVATE ${PROJECT_SOURCE_DIR}/daemon/http_head.c)
  target_include_directories(test_http_head PRIVATE ${PROJECT_SOURCE_DIR}/daemon)
endif()
