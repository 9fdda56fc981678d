package slots

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The virtual student's site: the page, the wheel's 16 images and the slotPull
// code, as the tutorial's v3 variant has them (LABS.md Lab 4's prerequisites:
// the SDK for JavaScript v2 is past end of support).

// symbol is one wheel position's picture.
type symbol struct{ name, color string }

// wheelSize is how many positions the wheel has (slotPosition 0..15).
const wheelSize = 16

// wheelSymbols are the wheel positions' symbols, a fresh table each call (no
// package-level state in labs).
func wheelSymbols() [wheelSize]symbol {
	return [wheelSize]symbol{
		{"cherry", "#c0392b"}, {"lemon", "#f1c40f"}, {"orange", "#e67e22"}, {"plum", "#8e44ad"},
		{"bell", "#d4ac0d"}, {"bar", "#2c3e50"}, {"seven", "#e74c3c"}, {"melon", "#27ae60"},
		{"grape", "#6c3483"}, {"star", "#f39c12"}, {"clover", "#1e8449"}, {"coin", "#b7950b"},
		{"heart", "#cb4335"}, {"gem", "#2e86c1"}, {"horse", "#784212"}, {"moon", "#5d6d7e"},
	}
}

// imageFile is the image of wheel position i, as the table's imageFile holds it.
func imageFile(i int) string { return fmt.Sprintf("%02d-%s.svg", i, wheelSymbols()[i].name) }

// wheelImage is position i's picture: a coloured tile with the symbol's name.
func wheelImage(i int) []byte {
	s := wheelSymbols()[i]
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">`+
		`<rect x="4" y="4" width="112" height="112" rx="14" fill="%s"/>`+
		`<text x="60" y="68" font-family="sans-serif" font-size="20" fill="#fff" text-anchor="middle">%s</text></svg>`, s.color, s.name))
}

// pageTemplate is index.html. In the simulator the page pulls through the
// website's /_labdash/pull, which runs the same chain a browser would (GetId,
// then GetCredentialsForIdentity for the enhanced flow, or GetOpenIdToken and
// AssumeRoleWithWebIdentity for the basic flow, then lambda:Invoke as the guest).
const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Slot machine</title>
<style>body{font-family:sans-serif;text-align:center;background:#fdf6e3}#wheels img{width:120px;height:120px;margin:6px}
button{font-size:1.4em;padding:.4em 1.2em}#status{min-height:1.5em;color:#555}</style></head>
<body><h1>Slot machine</h1>
<div id="wheels"><img alt="wheel 1" src="00-cherry.svg"><img alt="wheel 2" src="00-cherry.svg"><img alt="wheel 3" src="00-cherry.svg"></div>
<p><button id="pull">Pull the handle</button></p><p id="status"></p>
<script>
const config = {{CONFIG}};
document.getElementById("pull").onclick = async () => {
  const status = document.getElementById("status");
  status.textContent = "Pulling…";
  try {
    const res = await fetch("_labdash/pull", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(config)});
    const r = await res.json();
    // The simulator's answer (sim.PullResult): {status, flow, step, code, message, functionError, payload}.
    if (!res.ok || r.code) { status.textContent = (r.step || "pull") + ": " + (r.code || res.status) + " " + (r.message || ""); return; }
    // The tutorial's answer: {isWinner, leftWheelImage: {file: {S}}, middleWheelImage, rightWheelImage}.
    const p = r.payload || {};
    const images = ["leftWheelImage", "middleWheelImage", "rightWheelImage"].map(k => p[k] && p[k].file && p[k].file.S).filter(Boolean);
    document.querySelectorAll("#wheels img").forEach((img, i) => { if (images[i]) img.src = images[i]; });
    status.textContent = r.functionError ? "The function failed: " + r.functionError : (p.isWinner ? "Jackpot!" : "Pulled with the " + r.flow + " flow");
  } catch (e) { status.textContent = "pull failed: " + e; }
};
</script></body></html>
`

// page is index.html for the student's pool, region, function and flow
// ("enhanced", the tutorial's, or "basic").
func page(poolID, region, function, flow string) []byte {
	cfg, _ := json.Marshal(map[string]string{"identityPoolId": poolID, "region": region, "functionName": function, "flow": flow})
	// In a <script>, "</" would end it: JSON has no reason to hold one, but a
	// name could.
	c := strings.ReplaceAll(string(cfg), "</", `<\/`)
	return []byte(strings.Replace(pageTemplate, "{{CONFIG}}", c, 1))
}

// handlerSource is slotPull's code (Node.js 22, the SDK v3 the runtime bundles),
// answering as the tutorial's does: three random positions read from the table
// as its execution role, {isWinner, leftWheelImage: {file: {S}}, …}.
const handlerSource = `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
const db = new DynamoDBClient({});
const table = process.env.TABLE;
const wheel = async () => {
  const pos = Math.floor(Math.random() * 16);
  const out = await db.send(new GetItemCommand({ TableName: table, Key: { slotPosition: { N: String(pos) } } }));
  return { file: { S: out.Item.imageFile.S } };
};
export const handler = async () => {
  const [l, m, r] = [await wheel(), await wheel(), await wheel()];
  const isWinner = l.file.S === m.file.S && m.file.S === r.file.S;
  console.log("slot pull: " + [l, m, r].map(w => w.file.S).join(" | ") + " " + isWinner);
  return { isWinner, leftWheelImage: l, middleWheelImage: m, rightWheelImage: r };
};
`

// handlerZip is the deployment package: index.mjs at the root.
func handlerZip() []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("index.mjs")
	_, _ = w.Write([]byte(handlerSource))
	_ = z.Close()
	return buf.Bytes()
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
