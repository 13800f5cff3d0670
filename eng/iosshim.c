/* std::ios_base_library_init(), which GCC 13's <iostream> calls to force stream initialisation.
   libtorch initialises the standard streams itself, so an empty definition is enough where the
   system libstdc++ (GCC 12 on Debian 12) predates the symbol. */
void _ZSt21ios_base_library_initv(void) {}
