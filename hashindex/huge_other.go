//go:build !linux

package hashindex

import "errors"

func mapHuge(int) (mapping, data []byte, err error) {
	return nil, nil, errors.New("no huge pages here")
}

func unmap([]byte) {}
