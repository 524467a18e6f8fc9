"""Migration systems and the shared schema knowledge they are translated into."""
