;; The optimizer's inner loops in WebAssembly SIMD, bit-identical to the float32 JavaScript reference
;; (adamw.ts `update`, clip.ts `torchNorm2`): plain float32 ops are f32x4 ops; torch's fused
;; multiply-adds a + b·c are emulated in f64x2, where b·c is exact, and rounded once to float32.
;; Compiled by scripts/build-wasm.ts into optimizerWasm.ts; the JavaScript side copies chunks in and out.
(module
  (memory (export "memory") 1)

  ;; round_f32(a + b·c) on four lanes is written out where it is used (V8 does not inline wasm calls):
  ;; b·c is exact in float64, so promoting each half, multiplying, adding and demoting rounds once.

  ;; One AdamW step over n values (rounded up to a multiple of 4) at byte offsets p, g, m, v:
  ;;   g ← g·gradScale (clipping);  p ← p·decay;  m ← fma(m·β1, 1−β1, g);  v ← fma(v·β2, (1−β2)·g, g)
  ;;   p ← p + (negStep·m) / (sqrt(v) / bc2 + eps)
  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $decay f32) (param $beta1 f32) (param $omb1 f32) (param $beta2 f32) (param $omb2 f32)
    (param $bc2 f32) (param $negStep f32) (param $eps f32) (param $gradScale f32)
    (local $at i32) (local $end i32)
    (local $grad v128) (local $param v128) (local $avg v128) (local $sq v128) (local $t v128) (local $u v128)
    (local $vdecay v128) (local $vbeta1 v128) (local $vomb1 v128) (local $vbeta2 v128) (local $vomb2 v128)
    (local $vbc2 v128) (local $vneg v128) (local $veps v128) (local $vscale v128)
    (local.set $vdecay (f32x4.splat (local.get $decay)))
    (local.set $vbeta1 (f32x4.splat (local.get $beta1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vbeta2 (f32x4.splat (local.get $beta2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vbc2 (f32x4.splat (local.get $bc2)))
    (local.set $vneg (f32x4.splat (local.get $negStep)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vscale (f32x4.splat (local.get $gradScale)))
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $grad (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $at))) (local.get $vscale)))
        (local.set $param (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $at))) (local.get $vdecay)))
        (local.set $t (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (local.get $vbeta1)))
        (local.set $avg (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $t)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $vomb1)) (f64x2.promote_low_f32x4 (local.get $grad)))))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vomb1) (local.get $vomb1))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $grad) (local.get $grad))))))))
        (local.set $t (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (local.get $vbeta2)))
        (local.set $u (f32x4.mul (local.get $vomb2) (local.get $grad)))
        (local.set $sq (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $t)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $u)) (f64x2.promote_low_f32x4 (local.get $grad)))))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $grad) (local.get $grad))))))))
        (v128.store (i32.add (local.get $m) (local.get $at)) (local.get $avg))
        (v128.store (i32.add (local.get $v) (local.get $at)) (local.get $sq))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.add (local.get $param)
            (f32x4.div (f32x4.mul (local.get $vneg) (local.get $avg))
                       (f32x4.add (f32x4.div (f32x4.sqrt (local.get $sq)) (local.get $vbc2)) (local.get $veps)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next))))

  ;; torch's AVX2 squared-norm kernel: eight float32 lanes, lane[k] ← fma(lane[k], x, x) for the
  ;; values x at lane k of each group of eight. n is a multiple of 8; the lanes live at byte offset
  ;; $lanes and carry over between calls.
  (func (export "squareLanes") (param $x i32) (param $n i32) (param $lanes i32)
    (local $at i32) (local $end i32) (local $lo v128) (local $hi v128) (local $a v128) (local $b v128)
    (local.set $lo (v128.load (local.get $lanes)))
    (local.set $hi (v128.load offset=16 (local.get $lanes)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $a (v128.load (i32.add (local.get $x) (local.get $at))))
        (local.set $b (v128.load offset=16 (i32.add (local.get $x) (local.get $at))))
        (local.set $lo (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $lo)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $a)))))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))))))))
        (local.set $hi (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $hi)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $b)) (f64x2.promote_low_f32x4 (local.get $b)))))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))) (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 32)))
        (br $next)))
    (v128.store (local.get $lanes) (local.get $lo))
    (v128.store offset=16 (local.get $lanes) (local.get $hi)))
)
