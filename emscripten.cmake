# Toolchain file for Debian's Emscripten 3.1.6 (package `emscripten`).
# Debian's emcc runs its JS tools with the system's node, which does not look in /usr/share/nodejs
# for acorn unless told to: every emcc call needs NODE_PATH set.
set(ENV{NODE_PATH} "/usr/share/nodejs")
set(EMSCRIPTEN_ROOT_PATH "/usr/share/emscripten" CACHE PATH "Emscripten's install folder")
include("${EMSCRIPTEN_ROOT_PATH}/cmake/Modules/Platform/Emscripten.cmake")
# ...and the environment above is only the configure step's: link through `env` so that a bare
# `cmake --build build/wasm` (without ./crm) finds acorn too.
set(CMAKE_C_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
set(CMAKE_CXX_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
