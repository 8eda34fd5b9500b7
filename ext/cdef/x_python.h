/* The Python event handler: cffi generates this C function, which calls the Python function
 * registered with @ffi.def_extern(). */
extern "Python" void _libzt_event_handler(void* msg);
extern "Python" void _libzt_controller_handler(const ztx_config_request_t* request);
