#ifndef SCRIPT_H
#define SCRIPT_H

/* The decide script (daemon/decide.lua), compiled in. */
extern const char decide_lua[];

#endif
