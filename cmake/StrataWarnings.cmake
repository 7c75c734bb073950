# Warnings for Strata's own targets: the build must stay clean under -Wall -Wextra.
add_library(strata_warnings INTERFACE)
target_compile_options(strata_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough)
if(STRATA_WERROR)
  target_compile_options(strata_warnings INTERFACE -Werror)
endif()
