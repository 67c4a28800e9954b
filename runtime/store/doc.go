// Package store holds the plash data directory: container ids handed out
// from id_counter under a file lock, the index/<id> links that publish a
// container, the nested layer tree layer/0/<parent>/.../<id>/_data/root,
// the map/<key> links, temporary directories under tmp/ whose creator holds
// a lock (so clean can tell the stale ones), and the config/union_taste
// setting. The layout is the one the original plash used, so existing data
// directories keep working and the old tool can read what this one writes.
// A container is published by atomic renames: a crash leaves either no new
// id or a complete one, and Clean removes whatever a crash left behind.
package store
