# Browser tests of the dashboard (web/): Debian's Chromium driven by playwright-core
# (tests/browser/package.json; scripts/deps runs npm ci). They skip (77) when
# playwright-core is not installed.
find_program(TW_NODE node)
if(NOT TW_NODE)
  set(TW_NODE node)
endif()

# The dashboard on the real tonewired with the repository's demo cables, at desktop and
# phone sizes: every cable's verdict, faults, channels and diagram agree with its result;
# kiosk view; flex; history, CSV (against the CLI's) and the station's shift counts.
if(TARGET tonewired AND TARGET tonewire)
  add_test(NAME browser.dashboard
    COMMAND ${TW_NODE} run.mjs dashboard.test.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(browser.dashboard PROPERTIES
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
endif()

# Scans that come while a test runs (a barcode reader, 40 ms apart) wait their turn and
# each result shows; a station set not to queue refuses out loud. Needs tonewired.
if(TARGET tonewired)
  add_test(NAME browser.queue
    COMMAND ${TW_NODE} run.mjs queue.test.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(browser.queue PROPERTIES
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
endif()

# The dashboard's behaviour against the mock station (fast, no audio), whose every answer,
# event and request is checked against docs/openapi.json: plain words for every fault,
# keyboard-only use, narrow window, queued and refused scans, flex, CSV export, shift reset.
add_test(NAME browser.ui
  COMMAND ${TW_NODE} run.mjs openapi.test.mjs ui.test.mjs
  WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(browser.ui PROPERTIES
  ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
  TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
