#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
