# Browser tests of the dashboard (web/): Debian's Chromium driven by playwright-core
# (tests/browser/package.json; scripts/deps runs npm ci). They skip (77) when
# playwright-core is not installed. browser.dashboard needs the real tonewired on
# the simulator whenever the daemon is part of the build.
find_program(TW_NODE node)
if(NOT TW_NODE)
  set(TW_NODE node)
endif()

set(tw_browser_env "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
if(TARGET tonewired)
  list(APPEND tw_browser_env "TONEWIRE_BROWSER_STATION=daemon")
endif()

add_test(NAME browser.dashboard
  COMMAND ${TW_NODE} run.mjs dashboard.test.mjs
  WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(browser.dashboard PROPERTIES
  ENVIRONMENT "${tw_browser_env}"
  TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)

# The dashboard's behaviour against the mock station (fast, no audio): plain words
# for every fault, keyboard-only use, narrow window, busy station, CSV export.
add_test(NAME browser.ui
  COMMAND ${TW_NODE} run.mjs ui.test.mjs
  WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(browser.ui PROPERTIES
  ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
  TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
