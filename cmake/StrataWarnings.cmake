# Warnings for Strata's own targets: the build must stay clean under -Wall -Wextra.
add_library(strata_warnings INTERFACE)
target_compile_options(strata_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict inside libstdc++'s std::string concatenation at -O2 and above,
# a known false positive (GCC bug 105329, fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(strata_warnings INTERFACE -Wno-restrict)
endif()
if(STRATA_WERROR)
  target_compile_options(strata_warnings INTERFACE -Werror)
endif()
