/// The pointer loops of ``FFTConv1dEngine``: taking samples into blocks, the block step
/// (spectrum, delay line, multiply-accumulate, inverse) and the output sum.
enum FFTEngineLoops {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func compute<T: ConvScalar>(
        _ engine: FFTConv1dEngine<T>, _ ws: FFTState<T>,
        input: UnsafePointer<T>, inputStride: Int,
        output: UnsafeMutablePointer<T>, outputStride: Int,
        first: Int64, count: Int
    ) {
        let field = engine.field
        let head = engine.head
        let outs = engine.spec.outChannels
        // Outputs go in steps no longer than the smallest block, so a ring slot is never
        // overwritten before it is read (each ring holds offset + block ≥ offset + step).
        let stepLimit = engine.plan.firstBlock
        // A new sequence may start past 0 (a circular stream's outputs after its withheld
        // head): the samples before it stay the zeros reset left.
        if !ws.started { ws.start(at: first) }
        var done = 0
        while done < count {
            let step = min(stepLimit, count - done)
            let t = first + Int64(done)
            // Take in every sample these outputs read: up to padded t + step − 1 + R.
            let target = t + Int64(step - 1 + field)
            precondition(ws.ingested >= first, "FFT engine calls out of order")
            if ws.ingested < target {
                ingest(engine, ws, input: input + Int(ws.ingested - first), inputStride: inputStride, count: Int(target - ws.ingested))
            }
            // The head, bias included, straight into the output.
            let localInput = input + Int(t - first) + (field - head)
            engine.headEngine.compute(
                input: localInput, inputStride: inputStride, output: output + done, outputStride: outputStride,
                count: step, phases: nil)
            // Then each class's share, in class order.
            let newest = t + Int64(field - 1)
            if let scheduler = ws.scheduler {
                // The steps that wrote these outputs must have finished: for class c, the block
                // whose share holds the newest of them.
                let last = newest + Int64(step - 1)
                for work in ws.works {
                    let from = last - Int64(work.offset)
                    if from >= 0 { work.ensureFinished(from / Int64(work.blockSize), scheduler: scheduler) }
                }
            }
            for state in ws.classes {
                let ring = state.ring
                let mask = Int64(ring - 1)
                for o in 0..<outs {
                    let row = output + o * outputStride + done
                    let source = state.rings + o * ring
                    // Two contiguous runs (the ring wraps at most once in a step), so the
                    // adds vectorise; each output gets the same single add either way.
                    let start = Int(newest & mask)
                    let first = min(step, ring - start)
                    for j in 0..<first { row[j] = row[j] + source[start + j] }
                    for j in first..<step { row[j] = row[j] + source[j - first] }
                }
            }
            done += step
        }
    }

    /// Takes `count` padded samples (from absolute index `ws.ingested`) into every class's
    /// input ring, completing blocks as they fill: the first class (and every class without a
    /// scheduler) runs the block step at once; the others submit it to the scheduler, after
    /// making sure the slot being filled is no longer read by an unfinished step.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func ingest<T: ConvScalar>(
        _ engine: FFTConv1dEngine<T>, _ ws: FFTState<T>,
        input: UnsafePointer<T>, inputStride: Int, count: Int
    ) {
        let start = ws.ingested
        let slots = FFTClassState<T>.inputSlots
        let scheduler = ws.scheduler
        for c in engine.classes.indices {
            let state = ws.classes[c]
            let size = state.size
            let work = c > 0 && scheduler != nil ? ws.works[c - 1] : nil
            var taken = 0
            while taken < count {
                let position = start + Int64(taken)
                let block = position / Int64(size)
                let inBlock = Int(position % Int64(size))
                let run = min(count - taken, size - inBlock)
                // This slot was block − 4's, which the steps of block − 4 and block − 3 read:
                // they must be done before it refills.
                if let work, let scheduler, inBlock == 0 { work.ensureFinished(block - 3, scheduler: scheduler) }
                let slot = Int(block % Int64(slots))
                for ch in 0..<engine.spec.inChannels {
                    let dst = state.blocks + (ch * slots + slot) * size + inBlock
                    dst.update(from: input + ch * inputStride + taken, count: run)
                }
                taken += run
                if inBlock + run == size {
                    if let work, let scheduler {
                        work.submit(block, to: scheduler)
                    } else {
                        blockStep(engine, state, class: c, block: block)
                    }
                }
            }
        }
        ws.ingested = start + Int64(count)
    }

    /// Takes `count` padding zeros from padded sample 0 of a state just reset, running every
    /// block step they complete, inline: what ``ingest(_:_:input:inputStride:count:)`` would do
    /// with the same zeros (the rings are already zero), done before the first call.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func ingestZeros<T: ConvScalar>(_ engine: FFTConv1dEngine<T>, _ ws: FFTState<T>, count: Int) {
        precondition(ws.ingested == 0, "padding zeros come first")
        for c in engine.classes.indices {
            let state = ws.classes[c]
            for block in 0..<(count / state.size) { blockStep(engine, state, class: c, block: Int64(block)) }
        }
        ws.ingested = Int64(count)
    }

    /// Block `b` of class `c` is complete: its spectrum enters the delay line, and the class's
    /// share of outputs `n ∈ [a + bN, a + bN + N)` goes into the rings.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func blockStep<T: ConvScalar>(_ engine: FFTConv1dEngine<T>, _ state: FFTClassState<T>, class c: Int, block b: Int64) {
        let plan = engine.classes[c]
        let (size, parts, ring) = (plan.size, plan.count, plan.ring)
        let bins = size + 1
        let spec = engine.spec
        let (inPer, outPer) = (spec.inChannelsPerGroup, spec.outChannelsPerGroup)
        let slot = Int(b % Int64(parts))
        let (dre, dim) = (state.delayRe, state.delayIm)
        // Spectrum of [previous block, this block] per input channel, into its delay slot. The
        // two are adjacent in the input ring unless this one is in its first slot.
        let slots = FFTClassState<T>.inputSlots
        let current = Int(b % Int64(slots))
        for ch in 0..<spec.inChannels {
            let ring = state.blocks + ch * slots * size
            let window: UnsafePointer<T>
            if current > 0 {
                window = UnsafePointer(ring + (current - 1) * size)
            } else {
                state.time.update(from: ring + (slots - 1) * size, count: size)
                (state.time + size).update(from: ring, count: size)
                window = UnsafePointer(state.time)
            }
            let at = (ch * parts + slot) * bins
            plan.fft.forward(window, re: dre + at, im: dim + at, order: .bitReversed)
        }
        plan.re.withUnsafeBufferPointer { hre in
            plan.im.withUnsafeBufferPointer { him in
                for o in 0..<spec.outChannels {
                    let g = o / outPer
                    accumulate(
                        state.accRe, state.accIm,
                        hRe: hre.baseAddress! + o * inPer * parts * bins, hIm: him.baseAddress! + o * inPer * parts * bins,
                        xRe: dre + g * inPer * parts * bins, xIm: dim + g * inPer * parts * bins,
                        inputs: inPer, parts: parts, slot: slot, bins: bins)
                    plan.fft.inverse(re: state.accRe, im: state.accIm, output: state.time, order: .bitReversed)
                    // The last N points are the linear convolution: outputs a + bN + j, in at
                    // most two runs of the ring.
                    let row = state.rings + o * ring
                    let start = Int((Int64(plan.offset) + b * Int64(size)) & Int64(ring - 1))
                    let first = min(size, ring - start)
                    (row + start).update(from: state.time + size, count: first)
                    row.update(from: state.time + size + first, count: size - first)
                }
            }
        }
    }

    /// acc = Σ_i Σ_p H_(i,p) · X_(i, slot − p) over `bins` complex bins (split), starting from
    /// zero and adding in input then partition order, a vector of bins at a time: each bin gets
    /// the same operations in the same order as one bin at a time.
    /// `hRe`/`hIm`: [input][partition][bin]; `xRe`/`xIm`: [input][slot][bin].
    @inline(__always)
    static func accumulate<T: ConvScalar>(
        _ accRe: UnsafeMutablePointer<T>, _ accIm: UnsafeMutablePointer<T>,
        hRe: UnsafePointer<T>, hIm: UnsafePointer<T>,
        xRe: UnsafePointer<T>, xIm: UnsafePointer<T>,
        inputs: Int, parts: Int, slot: Int, bins: Int
    ) {
        let lanes = T.Lanes.scalarCount
        var k = 0
        while k + lanes <= bins {
            var ar = T.Lanes.zero, ai = T.Lanes.zero
            for i in 0..<inputs {
                var xs = slot
                for p in 0..<parts {
                    let h = (i * parts + p) * bins + k
                    let x = (i * parts + xs) * bins + k
                    let a: T.Lanes = DirectKernelLoops.load(hRe + h), b: T.Lanes = DirectKernelLoops.load(hIm + h)
                    let c: T.Lanes = DirectKernelLoops.load(xRe + x), d: T.Lanes = DirectKernelLoops.load(xIm + x)
                    ar = ar + (a * c - b * d)
                    ai = ai + (a * d + b * c)
                    // X_(b−p) sits in slot (b − p) mod m.
                    xs = xs == 0 ? parts - 1 : xs - 1
                }
            }
            DirectKernelLoops.store(ar, accRe + k)
            DirectKernelLoops.store(ai, accIm + k)
            k += lanes
        }
        while k < bins {
            var ar: T = 0, ai: T = 0
            for i in 0..<inputs {
                var xs = slot
                for p in 0..<parts {
                    let h = (i * parts + p) * bins + k
                    let x = (i * parts + xs) * bins + k
                    let (a, b, c, d) = (hRe[h], hIm[h], xRe[x], xIm[x])
                    ar = ar + (a * c - b * d)
                    ai = ai + (a * d + b * c)
                    xs = xs == 0 ? parts - 1 : xs - 1
                }
            }
            accRe[k] = ar
            accIm[k] = ai
            k += 1
        }
    }
}
