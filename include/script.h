#ifndef SCRIPT_H
#define SCRIPT_H

/*
 * The decide script (daemon/decide.lua) and the verdict script
 * (daemon/verdict.lua), compiled in, each with the version of the
 * argument layout it reads (its LAYOUT, taken from the script by CMake so
 * that it is written down once).
 */
extern const char	decide_lua[];
extern const unsigned	decide_lua_layout;
extern const char	verdict_lua[];
extern const unsigned	verdict_lua_layout;

#endif
