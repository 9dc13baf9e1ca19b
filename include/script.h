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

/*
 * The classifier's learn script (daemon/learn.lua) and copy script
 * (daemon/bayes_sync.lua), in the core: moderatorctl learns too.
 */
extern const char	learn_lua[];
extern const unsigned	learn_lua_layout;
extern const char	bayes_sync_lua[];
extern const unsigned	bayes_sync_lua_layout;

#endif
