#!/usr/bin/env python3
"""Makes the small model-zoo fixtures in src/test/resources/dev/ember/models with real PyTorch.

Usage: python3 make_zoo_fixtures.py OUTDIR   (needs torch, torchvision, safetensors; CPU is enough)

For each model: torch.manual_seed(0), build (PyTorch's / torchvision's own init); then, from a
separate generator seeded 1, BatchNorm weights uniform in [0.5, 1.5) and biases in [-0.5, 0.5) so the
affine part matters, saved as __before__.<key>; two train-mode forwards over __warm0__ / __warm1__
warm the running statistics; eval-mode logits of __input__ are __logits__. Then, on a copy in train
mode, torch.manual_seed(123), cross entropy against __labels__ -> __loss__, and every parameter's
gradient as __grad__.<key> plus the input's as __input_grad__ (for models with dropout also
__grad_nodrop__.<key>, the same pass with dropout in eval mode). The model's final state dict is
saved under its plain keys.

tiny_resnet runs torchvision's own ResNet code (_make_layer, BasicBlock, forward, init loop) with
widths 4, 8, 16, 32 instead of 64..512; tiny_densenet is torchvision's DenseNet class itself; lenet5
and small_vgg mirror Ember's dev.ember.models.LeNet5 and SmallVGG layer for layer.

The committed files were made on 2026-11-27 with torch 2.11.0+cu130 and torchvision 0.26.0 (on the
CPU; their versions are in each file's metadata) by a shortened copy of this script with the same
statements (it had to fit in one command line), which printed only each file's name, tensor count
and loss.
"""
import copy
import sys

import torch
import torch.nn.functional as F
import torchvision
from safetensors.torch import save_file
from torch import nn
from torchvision.models.densenet import DenseNet
from torchvision.models.resnet import BasicBlock, ResNet


class TinyResNet(ResNet):
    """torchvision.models.ResNet with widths w, 2w, 4w, 8w (torchvision fixes w = 64)."""

    def __init__(self, layers, width, num_classes, in_channels):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, width, layers[0])
        self.layer2 = self._make_layer(BasicBlock, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(BasicBlock, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(BasicBlock, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * BasicBlock.expansion, num_classes)
        for m in self.modules():  # as torchvision's ResNet.__init__
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


class LeNet5(nn.Module):
    """dev.ember.models.LeNet5."""

    def __init__(self, num_classes, in_channels, input_size):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2 if input_size == 28 else 0), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class SmallVGG(nn.Module):
    """dev.ember.models.SmallVGG ('M' is a 2x2 max pool)."""

    def __init__(self, cfg, batch_norm, hidden, dropout, num_classes, in_channels):
        super().__init__()
        layers = []
        c = in_channels
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers.append(nn.Conv2d(c, v, 3, padding=1))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(v))
                layers.append(nn.ReLU())
                c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(nn.Linear(c, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def make(out_dir, name, build, input_shape, num_classes):
    torch.manual_seed(0)
    model = build()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.uniform_(-0.5, 0.5, generator=g)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    warm = [torch.rand(4, *input_shape, generator=g) for _ in range(2)]
    model.train()
    with torch.no_grad():
        for w in warm:
            model(w)
    model.eval()
    x = torch.rand(2, *input_shape, generator=g)
    labels = torch.randint(0, num_classes, (2,), generator=g)
    with torch.no_grad():
        logits = model(x)

    t = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    t.update({"__before__." + k: v for k, v in before.items()})
    t["__warm0__"], t["__warm1__"] = warm
    t["__input__"] = x
    t["__logits__"] = logits
    t["__labels__"] = labels

    def grads(prefix, no_dropout):
        m = copy.deepcopy(model)
        m.train()
        if no_dropout:
            for d in m.modules():
                if isinstance(d, nn.Dropout):
                    d.eval()
        xi = x.clone().requires_grad_(True)
        torch.manual_seed(123)
        loss = F.cross_entropy(m(xi), labels)
        loss.backward()
        for k, p in m.named_parameters():
            t[prefix + k] = p.grad.detach().clone()
        return loss, xi.grad

    loss, input_grad = grads("__grad__.", False)
    t["__loss__"] = loss.detach().clone()
    t["__input_grad__"] = input_grad.detach().clone()
    if any(isinstance(m, nn.Dropout) for m in model.modules()):
        grads("__grad_nodrop__.", True)

    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    save_file(t, f"{out_dir}/{name}.safetensors", metadata=meta)
    n = sum(p.numel() for p in model.parameters())
    print(f"{name}: {len(model.state_dict())} state keys, {n} parameters, logits {list(logits.shape)} "
          f"max |logit| {logits.abs().max().item():.4f}, loss {loss.item():.6f}, {len(t)} tensors")


def main():
    out = sys.argv[1]
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    make(out, "tiny_resnet", lambda: TinyResNet([2, 2, 2, 2], 4, 10, 3), (3, 32, 32), 10)
    make(out, "tiny_densenet", lambda: DenseNet(growth_rate=4, block_config=(2, 3, 2), num_init_features=8,
                                                bn_size=2, drop_rate=0, num_classes=10), (3, 32, 32), 10)
    make(out, "lenet5", lambda: LeNet5(10, 1, 28), (1, 28, 28), 10)
    make(out, "small_vgg", lambda: SmallVGG([8, 8, "M", 16, "M"], True, 32, 0.5, 10, 3), (3, 16, 16), 10)


if __name__ == "__main__":
    main()
