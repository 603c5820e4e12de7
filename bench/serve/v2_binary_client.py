# The binary tensor data extension from Python's standard library: one image (one-image.bin from
# v2_body.py ... binary) to a server on 127.0.0.1:8080, probabilities asked for as binary.
import json, struct, urllib.request
pixels = open("one-image.bin", "rb").read()[106:]  # the values after v2_body.py's JSON header
header = json.dumps({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                                 "parameters": {"binary_data_size": len(pixels)}}],
                     "outputs": [{"name": "probabilities", "parameters": {"binary_data": True}}]}).encode()
r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:8080/v2/models/fashion/infer",
        data=header + pixels, headers={"Inference-Header-Content-Length": str(len(header))}))
n = int(r.headers["Inference-Header-Content-Length"])
body = r.read()
print(r.headers["Content-Type"], n, len(body))
print(body[:n].decode())
p = struct.unpack("<10f", body[n:])
print("class", max(range(10), key=lambda i: p[i]), "probability", round(max(p), 4))
