package sim

// JSONServer serves one simulated service over the AWS JSON 1.1 protocol, so the
// real aws-sdk-go-v2 client can be tested against the simulator where moto has no
// such service (Global Accelerator). It is a thin adapter: the operation comes from
// X-Amz-Target (Prefix.Operation), the JSON body decodes into the SDK's input
// type, the simulator's method answers, and the output (or the typed error) is
// encoded as the service would: member names as they are, timestamps as epoch
// seconds, errors as {"__type": Code, "message": …} with HTTP 400.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// JSONServer is an http.Handler for one service client.
type JSONServer struct {
	// Prefix is the X-Amz-Target prefix, e.g. "GlobalAccelerator_V20180706".
	Prefix string
	// Client implements the service (a simulator client, e.g. Clients.GlobalAccelerator).
	Client any
	// Allowed lists the operations served; others answer UnknownOperationException.
	Allowed map[string]bool
}

func (s *JSONServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	prefix, op, ok := strings.Cut(target, ".")
	if r.Method != http.MethodPost || !ok || prefix != s.Prefix || !s.Allowed[op] {
		writeJSONError(w, "UnknownOperationException", fmt.Sprintf("unknown operation %q", target))
		return
	}
	m := reflect.ValueOf(s.Client).MethodByName(op)
	if !m.IsValid() || m.Type().NumIn() < 2 {
		writeJSONError(w, "UnknownOperationException", "operation "+op+" is not implemented")
		return
	}
	in := reflect.New(m.Type().In(1).Elem())
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, in.Interface())
	}
	if err != nil {
		writeJSONError(w, "SerializationException", err.Error())
		return
	}
	out := m.Call([]reflect.Value{reflect.ValueOf(r.Context()), in})
	if e, _ := out[1].Interface().(error); e != nil {
		var ae smithy.APIError
		if errors.As(e, &ae) {
			writeJSONError(w, ae.ErrorCode(), ae.ErrorMessage())
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(wireValue(out[0]))
}

func writeJSONError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

var timeType = reflect.TypeOf(time.Time{})

// wireValue turns an SDK output into what the JSON protocol carries: exported
// fields by name (ResultMetadata and unexported ones dropped), nil pointers and
// empty values left out, timestamps as epoch seconds.
func wireValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return wireValue(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			return math.Round(float64(t.UnixNano())/1e6) / 1e3
		}
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if x := wireValue(v.Field(i)); x != nil {
				m[f.Name] = x
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = wireValue(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = wireValue(v.MapIndex(k))
		}
		return out
	}
	return v.Interface()
}
