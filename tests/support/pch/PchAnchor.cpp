// Compiled once per test folder so that folder's tests can reuse its precompiled header (tests/CMakeLists.txt).
