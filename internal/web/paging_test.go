package web

import (
	"testing"

	"github.com/google/uuid"
)

func TestPagedAndAfterID(t *testing.T) {
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	id := func(u uuid.UUID) uuid.UUID { return u }
	str := func(u uuid.UUID) string { return u.String() }
	full := Paged(ids, 2, id, str) // three fetched for a page of two: another page follows
	if len(full.Items) != 2 || full.NextCursor != EncodeCursor(ids[1].String()) {
		t.Fatalf("full page: %+v", full)
	}
	if last := Paged(ids[:2], 2, id, str); len(last.Items) != 2 || last.NextCursor != "" {
		t.Fatalf("last page: %+v", last)
	}
	after, err := Page{Cursor: ids[1].String()}.AfterID()
	if err != nil || *after != ids[1] {
		t.Fatalf("AfterID: %v %v", after, err)
	}
	if after, err := (Page{}).AfterID(); after != nil || err != nil {
		t.Fatalf("first page: %v %v", after, err)
	}
	if _, err := (Page{Cursor: "nope"}).AfterID(); err == nil {
		t.Fatal("a cursor that is not an id must be refused")
	}
}
