/* The Python event handler: cffi generates this C function, which calls the Python function
 * registered with @ffi.def_extern(). */
extern "Python" void _libzt_event_handler(void* msg);
