// setns(2), which Swift's Glibc module does not import. Tests use it to make
// sockets inside the network namespace they created.
#ifndef CTESTNAMESPACE_H
#define CTESTNAMESPACE_H

/// Moves the calling thread into the network namespace open at `fd`. 0 or -1 and errno.
int ctn_enter_network_namespace(int fd);

#endif
