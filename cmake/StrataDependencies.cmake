# Every dependency comes from a Debian 12 package; scripts/bootstrap installs them.
# A missing one fails here, naming the package to install.
find_package(Threads REQUIRED)

macro(strata_find_package name package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "Missing ${name}: install the Debian package '${package}' "
                        "(scripts/bootstrap installs every dependency)")
  endif()
endmacro()

strata_find_package(SQLite3 libsqlite3-dev)
strata_find_package(nlohmann_json nlohmann-json3-dev)
strata_find_package(fmt libfmt-dev)
strata_find_package(CLI11 libcli11-dev)
strata_find_package(FastFloat libfast-float-dev)
strata_find_package(Eigen3 libeigen3-dev)
# Debian's xgboost CMake config references /usr/bin/xgboost (another package), so it fails
# to load; find the library and header directly instead.
find_path(STRATA_XGBOOST_INCLUDE xgboost/c_api.h)
find_library(STRATA_XGBOOST_LIB xgboost)
if(NOT STRATA_XGBOOST_INCLUDE OR NOT STRATA_XGBOOST_LIB)
  message(FATAL_ERROR "Missing XGBoost: install the Debian package 'libxgboost-dev'")
endif()
# XGBoost runs on OpenMP (GCC's libgomp); the wrapper sets the calling thread's OpenMP thread
# count for small predictions (xgboost_engine.cc), so it links libgomp itself. Link only: no
# -fopenmp for our sources, which have no OpenMP pragmas.
find_package(OpenMP REQUIRED COMPONENTS CXX)
add_library(strata_xgboost INTERFACE)
target_include_directories(strata_xgboost SYSTEM INTERFACE ${STRATA_XGBOOST_INCLUDE})
target_link_libraries(strata_xgboost INTERFACE ${STRATA_XGBOOST_LIB} $<LINK_ONLY:OpenMP::OpenMP_CXX>)
find_path(STRATA_READLINE_INCLUDE readline/readline.h)
find_library(STRATA_READLINE_LIB readline)
if(NOT STRATA_READLINE_INCLUDE OR NOT STRATA_READLINE_LIB)
  message(FATAL_ERROR "Missing GNU readline: install the Debian package 'libreadline-dev'")
endif()
find_path(STRATA_XXHASH_INCLUDE xxhash.h)
find_library(STRATA_XXHASH_LIB xxhash)
if(NOT STRATA_XXHASH_INCLUDE OR NOT STRATA_XXHASH_LIB)
  message(FATAL_ERROR "Missing xxHash: install the Debian package 'libxxhash-dev'")
endif()
# `strata serve`: Boost.Beast's HTTP/1.1 over Boost.Asio's event loop (header-only).
strata_find_package(Boost libboost-dev 1.74)
# The tests' HTTP client: Debian builds cpp-httplib as a shared library with OpenSSL, zlib and
# brotli support, so its pkg-config flags (the CPPHTTPLIB_*_SUPPORT defines) must be used to
# match that ABI.
if(STRATA_BUILD_TESTS)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(STRATA_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
  endif()
  if(NOT STRATA_HTTPLIB_FOUND)
    message(FATAL_ERROR "Missing cpp-httplib: install the Debian package 'libcpp-httplib-dev' "
                        "(scripts/bootstrap --test installs it)")
  endif()
  add_library(strata_httplib INTERFACE)
  target_link_libraries(strata_httplib INTERFACE PkgConfig::STRATA_HTTPLIB)
endif()
# OpenSSL's libcrypto hashes API tokens (SHA-256).
strata_find_package(OpenSSL libssl-dev)
# jemalloc replaces glibc's malloc in the `strata` binary: a single-row prediction in
# `strata serve` makes a few hundred small allocations across request threads, and jemalloc's
# per-thread caches took 6-7% off the server's CPU per request (bench/serve). Not under the
# sanitizers, which bring their own allocator.
find_library(STRATA_JEMALLOC_LIB jemalloc)
if(NOT STRATA_JEMALLOC_LIB)
  message(FATAL_ERROR "Missing jemalloc: install the Debian package 'libjemalloc-dev'")
endif()

# Versions of header-only dependencies, recorded at build time for `strata doctor`.
function(strata_debian_version package out)
  execute_process(COMMAND dpkg-query -W -f=\${Version} ${package}
                  OUTPUT_VARIABLE _v ERROR_QUIET RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0 OR _v STREQUAL "")
    set(_v "unknown")
  endif()
  set(${out} "${_v}" PARENT_SCOPE)
endfunction()
strata_debian_version(libfast-float-dev STRATA_FAST_FLOAT_VERSION)
strata_debian_version(libcli11-dev STRATA_CLI11_VERSION)
strata_debian_version(nlohmann-json3-dev STRATA_NLOHMANN_JSON_VERSION)
strata_debian_version(libeigen3-dev STRATA_EIGEN_DEB_VERSION)
