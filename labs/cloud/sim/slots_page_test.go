package sim

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// The slot machine's page, wheel and images as the simulator's own tests upload
// them (the lab's virtual student has its own, labs/catalog/slots/site.go: a lab
// does not import the simulator).

// slotSymbols are the slotWheels table's 16 image files, by slotPosition.
func slotSymbols() []string {
	return []string{"cherry.svg", "lemon.svg", "orange.svg", "plum.svg", "bell.svg", "bar.svg", "seven.svg", "melon.svg",
		"grapes.svg", "star.svg", "clover.svg", "diamond.svg", "horseshoe.svg", "coin.svg", "crown.svg", "heart.svg"}
}

// SlotSymbol is one item of the slotWheels table.
type SlotSymbol struct {
	Position  int    // slotPosition (N)
	ImageFile string // imageFile (S)
}

// SlotWheel is the slotWheels table's 16 items (slotPosition 0–15).
func SlotWheel() []SlotSymbol {
	names := slotSymbols()
	out := make([]SlotSymbol, len(names))
	for i, n := range names {
		out[i] = SlotSymbol{Position: i, ImageFile: n}
	}
	return out
}

// SlotImages returns the wheel's image files (SVG) by imageFile name.
func SlotImages() map[string][]byte {
	colors := []string{"#c62828", "#f9a825", "#ef6c00", "#6a1b9a", "#ffb300", "#37474f", "#d32f2f", "#2e7d32",
		"#4a148c", "#fbc02d", "#388e3c", "#0288d1", "#795548", "#ff8f00", "#f57f17", "#e91e63"}
	out := map[string][]byte{}
	for i, n := range slotSymbols() {
		label := strings.ToUpper(strings.TrimSuffix(n, ".svg"))
		out[n] = []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">`+
			`<rect width="120" height="120" rx="12" fill="#fafafa" stroke="#bbb"/><circle cx="60" cy="52" r="34" fill="%s"/>`+
			`<text x="60" y="108" font-family="sans-serif" font-size="14" text-anchor="middle" fill="#222">%s</text></svg>`, colors[i], label))
	}
	return out
}

var slotPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Slot machine</title>
<style>
body { font-family: sans-serif; text-align: center; margin: 2em; }
.wheels img { width: 120px; height: 120px; margin: 0 .5em; }
button { font-size: 1.4em; padding: .4em 1.6em; margin: 1em; }
#status { min-height: 3em; white-space: pre-wrap; }
.error { color: #b71c1c; }
</style>
</head>
<body>
<h1>Slot machine</h1>
<div class="wheels"><img id="left" alt="left wheel" src="{{.First}}"><img id="middle" alt="middle wheel" src="{{.First}}"><img id="right" alt="right wheel" src="{{.First}}"></div>
<button id="pull">Pull the handle</button>
<p id="status"></p>
<p><small>Identity pool {{.Pool}} ({{.Region}}), function {{.Function}}, {{.Flow}} flow.</small></p>
<script>
const config = {identityPoolId: {{.Pool}}, region: {{.Region}}, functionName: {{.Function}}, flow: {{.Flow}}};
document.getElementById("pull").addEventListener("click", async () => {
  const status = document.getElementById("status");
  status.className = ""; status.textContent = "Pulling…";
  try {
    const res = await fetch({{.PullPath}}, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(config)});
    const r = await res.json();
    if (r.code) { status.className = "error"; status.textContent = r.step + ": " + r.code + ": " + r.message; return; }
    if (r.functionError) { status.className = "error"; status.textContent = "The function failed (" + r.functionError + "): " + JSON.stringify(r.payload); return; }
    const p = r.payload;
    document.getElementById("left").src = p.leftWheelImage.file.S;
    document.getElementById("middle").src = p.middleWheelImage.file.S;
    document.getElementById("right").src = p.rightWheelImage.file.S;
    status.textContent = p.isWinner ? "Winner!" : "Try again.";
  } catch (e) { status.className = "error"; status.textContent = String(e); }
});
</script>
</body>
</html>
`))

// SlotMachinePage is a default index.html for the slot machine site: its pull
// uses identity pool poolID in region, function functionName, and the Cognito
// flow ("" or "enhanced", the tutorial's; or "basic").
func SlotMachinePage(poolID, region, functionName, flow string) []byte {
	if flow == "" {
		flow = "enhanced"
	}
	var b bytes.Buffer
	_ = slotPage.Execute(&b, map[string]string{"Pool": poolID, "Region": region, "Function": functionName, "Flow": flow,
		"PullPath": PullPath, "First": slotSymbols()[0]})
	return b.Bytes()
}
