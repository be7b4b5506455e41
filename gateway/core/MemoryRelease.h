#pragma once

// Gives heap memory that was freed back to the system. glibc keeps freed memory in its arenas for
// reuse, so the RSS a 50 MB answer grew is never returned by itself; malloc_trim() returns the
// free pages. Called after an exchange that held a large body; no-op where glibc is absent.
namespace MemoryRelease {
// Asks for a trim a moment from now on the calling thread's event loop, so the write buffers of an
// answer that just ended have drained first. Calls within that moment fold into one trim, so this
// runs at most once a second however often it is asked for.
void releaseFreedMemory();
}
